resource "aws_kms_key" "eks" {
  description = "EKS secrets"
}

module "cluster" {
  source = "./modules/cluster"

  logs = ["api"]
  key  = aws_kms_key.eks.arn
}
