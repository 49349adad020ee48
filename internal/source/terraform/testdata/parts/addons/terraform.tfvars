enable_network_policy = "true"
