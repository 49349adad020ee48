# Cluster of the « données » team: its endpoint settings come from terraform.tfvars and the
# --var-file given for the environment.
resource "aws_eks_cluster" "data" {
  name     = "data"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids             = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    endpoint_public_access = var.public
    public_access_cidrs    = var.public_cidrs
  }
}

variable "public" {
  type    = bool
  default = false
}

variable "public_cidrs" {
  type    = list(string)
  default = []
}
