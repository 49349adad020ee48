cluster_name     = "hardened"
cluster_role_arn = "arn:aws:iam::111111111111:role/eks"
subnet_ids       = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
log_types        = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
