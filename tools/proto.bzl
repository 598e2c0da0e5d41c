"""proto_cc: C++ from one of our .proto files with Debian's protoc (no rules_proto offline)."""

def proto_cc(name, src, deps = [], visibility = None):
    base = src[:-len(".proto")]
    pkg = native.package_name()
    native.genrule(
        name = name + "_gen",
        srcs = [src],
        outs = [base + ".pb.h", base + ".pb.cc"],
        cmd = "protoc --proto_path=. --cpp_out=$(GENDIR) " + pkg + "/" + src,
    )
    native.cc_library(
        name = name,
        srcs = [base + ".pb.cc"],
        hdrs = [base + ".pb.h"],
        deps = deps + ["//third_party/protobuf"],
        visibility = visibility,
    )
