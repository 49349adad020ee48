resource "aws_eks_cluster" "broken" {
  name     = "broken"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    endpoint_public_access = 
  }
}
