resource "aws_eks_cluster" "world" {
  name     = "world"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    public_access_cidrs     = ["0.0.0.0/0"]
  }
}

resource "aws_eks_cluster" "ipv6_world" {
  name     = "ipv6-world"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    public_access_cidrs     = ["::/0"]
  }
}

resource "aws_eks_cluster" "halves" {
  name     = "halves"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    public_access_cidrs = [
      "0.0.0.0/1",
      "128.0.0.0/1",
    ]
  }
}

resource "aws_eks_cluster" "hidden" {
  name     = "hidden"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    public_access_cidrs     = ["10.0.0.0/16", "0.0.0.0/0"]
  }
}
