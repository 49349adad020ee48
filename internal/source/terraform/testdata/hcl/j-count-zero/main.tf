resource "aws_eks_cluster" "disabled" {
  count    = 0
  name     = "disabled"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids = ["subnet-1"]
  }
}
