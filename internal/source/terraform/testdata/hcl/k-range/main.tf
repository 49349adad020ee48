# ">= 18, < 20" selects the newest v19 release: private by default.
module "eks" {
  source  = "registry.terraform.io/terraform-aws-modules/eks/aws"
  version = ">= 18, < 20"

  cluster_name = "main"
  subnet_ids   = ["subnet-1"]
}
