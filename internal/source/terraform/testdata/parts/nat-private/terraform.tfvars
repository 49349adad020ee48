cluster_name         = "payments"
azs                  = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
private_subnet_cidrs = ["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"]
public_subnet_cidrs  = ["10.20.96.0/22", "10.20.100.0/22", "10.20.104.0/22"]
