# public off and private left at its default (off): EKS refuses this.
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids             = ["subnet-1"]
    endpoint_public_access = false
  }
}
