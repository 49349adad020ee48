# The folder the README's `eksguard iac .` examples run in (TestREADME copies it into a fresh git
# repository): one cluster written as most first drafts are, leaving every setting the CIS
# controls look at to the AWS provider's defaults, so each of the five controls fails and the
# README's patch makes all of them pass.
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111111111111:role/eks-cluster"

  vpc_config {
    subnet_ids = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
  }
}
