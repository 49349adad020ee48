module "eks" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-eks.git?ref=v18.31.2"

  cluster_name = "main"
  subnet_ids   = ["subnet-1"]
}

module "node_group" {
  source = "git::https://github.com/terraform-aws-modules/terraform-aws-eks.git//modules/eks-managed-node-group?ref=v18.31.2"
}
