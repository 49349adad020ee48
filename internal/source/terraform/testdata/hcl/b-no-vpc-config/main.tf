resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111111111111:role/eks"
}
