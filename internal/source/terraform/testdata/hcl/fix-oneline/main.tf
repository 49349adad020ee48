resource "aws_eks_cluster" "compact" {
  name     = "compact"
  role_arn = "arn:aws:iam::111111111111:role/eks"
  vpc_config { subnet_ids = ["subnet-1"] }
}
