Dash.start();
