# checkov's fixture writes booleans capitalised; Terraform rejects it (False is a reference).
resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = True
    endpoint_public_access  = False
  }
}
