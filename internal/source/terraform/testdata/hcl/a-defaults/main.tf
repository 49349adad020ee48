# (a) vpc_config without any endpoint argument: AWS provider defaults, public and open.
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids = ["subnet-1", "subnet-2"]
  }
}
