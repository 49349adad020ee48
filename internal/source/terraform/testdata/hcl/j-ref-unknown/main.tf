resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    public_access_cidrs     = [aws_vpc.main.cidr_block]
  }
}
