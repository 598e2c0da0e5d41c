BchosenJNֽְל
`¾z¿