public_access = "true"
allowed_cidrs = ["0.0.0.0/0"]
