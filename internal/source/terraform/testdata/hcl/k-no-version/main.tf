module "eks" {
  source = "terraform-aws-modules/eks/aws"

  cluster_name = "main"
  subnet_ids   = ["subnet-1"]
}
