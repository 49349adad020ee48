# Each instance takes its setting from its own entry of a map written in place: a fix changes that
# entry, and only that one.
resource "aws_eks_cluster" "this" {
  for_each = {
    dev = { public = false }
    lab = { public = true }
  }
  name     = each.key
  role_arn = "arn:aws:iam::111111111111:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-1"]
    endpoint_private_access = true
    endpoint_public_access  = each.value.public
  }
}
