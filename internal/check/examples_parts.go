package check

import "github.com/eksguard/eksguard/internal/finding"

// Examples of the checks that read more than the cluster resource: node groups, their subnets and
// route tables, add-ons, and ECR repositories, declared beside the cluster as real trees declare
// them.

// tfCluster is the cluster the node group and add-on examples attach to.
const tfCluster = `resource "aws_eks_cluster" "main" {
  name     = "prod"
  role_arn = "arn:aws:iam::111111111111:role/eks-cluster"
  version  = "1.32"

  vpc_config {
    subnet_ids              = aws_subnet.nodes[*].id
    endpoint_private_access = true
    endpoint_public_access  = false
  }
}
`

// tfNodesExample declares a VPC, two node subnets with the given subnet settings, a route table
// whose default route is route (an internet or NAT gateway), and a managed node group in those
// subnets.
func tfNodesExample(name string, want finding.Status, subnet, route string) Example {
	src := tfCluster + `
resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_internet_gateway" "main" {
  vpc_id = aws_vpc.main.id
}

resource "aws_eip" "nat" {
  domain = "vpc"
}

resource "aws_nat_gateway" "main" {
  allocation_id = aws_eip.nat.id
  subnet_id     = "subnet-0a1b2c3d4e5f60718"
}

resource "aws_subnet" "nodes" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone = ["us-east-1a", "us-east-1b"][count.index]
` + indent(subnet, "  ") + `
}

resource "aws_route_table" "nodes" {
  vpc_id = aws_vpc.main.id

  route {
    cidr_block = "0.0.0.0/0"
` + indent(route, "    ") + `
  }
}

resource "aws_route_table_association" "nodes" {
  count          = 2
  subnet_id      = aws_subnet.nodes[count.index].id
  route_table_id = aws_route_table.nodes.id
}

resource "aws_eks_node_group" "default" {
  cluster_name    = aws_eks_cluster.main.name
  node_group_name = "default"
  node_role_arn   = "arn:aws:iam::111111111111:role/eks-node"
  subnet_ids      = aws_subnet.nodes[*].id

  scaling_config {
    desired_size = 2
    max_size     = 3
    min_size     = 1
  }
}
`
	return Example{Format: FormatTerraform, Name: name, Want: want, Files: map[string]string{"main.tf": src}}
}

// moduleNodesExample is terraform-aws-modules/eks v20 with a managed node group, in the subnets
// of a terraform-aws-modules/vpc call.
func moduleNodesExample(name string, want finding.Status, subnets string) Example {
	src := `module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "~> 5.0"

  name            = "prod"
  cidr            = "10.0.0.0/16"
  azs             = ["us-east-1a", "us-east-1b"]
  private_subnets = ["10.0.1.0/24", "10.0.2.0/24"]
  public_subnets  = ["10.0.101.0/24", "10.0.102.0/24"]

  enable_nat_gateway = true
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = "prod"
  cluster_version = "1.32"
  vpc_id          = module.vpc.vpc_id
  subnet_ids      = module.vpc.private_subnets

  eks_managed_node_groups = {
    default = {
      instance_types = ["m6i.large"]
` + indent(subnets, "      ") + `
    }
  }
}
`
	return Example{Format: FormatTerraformModule, Name: name + " (module ~> 20.0)", Want: want, Files: map[string]string{"main.tf": src}}
}

// eksctlNodesExample is a ClusterConfig with one managed node group.
func eksctlNodesExample(name string, want finding.Status, nodegroup string) Example {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: us-east-1
  version: "1.32"
vpc:
  clusterEndpoints:
    privateAccess: true
    publicAccess: false
managedNodeGroups:
  - name: default
    instanceType: m6i.large
    desiredCapacity: 2
` + indent(nodegroup, "    ") + `
`
	return Example{Format: FormatEksctl, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// addonTFExample is the cluster with a vpc-cni aws_eks_addon.
func addonTFExample(name string, want finding.Status, config string) Example {
	src := tfCluster + `
resource "aws_eks_addon" "vpc_cni" {
  cluster_name = aws_eks_cluster.main.name
  addon_name   = "vpc-cni"
` + indent(config, "  ") + `
}
`
	return Example{Format: FormatTerraform, Name: name, Want: want, Files: map[string]string{"main.tf": src}}
}

// addonModuleExample is terraform-aws-modules/eks v20 with a vpc-cni entry in cluster_addons.
func addonModuleExample(name string, want finding.Status, config string) Example {
	src := `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name    = "prod"
  cluster_version = "1.32"
  vpc_id          = "vpc-0a1b2c3d4e5f60718"
  subnet_ids      = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]

  cluster_addons = {
    coredns = {}
    vpc-cni = {
      before_compute = true
` + indent(config, "      ") + `
    }
  }
}
`
	return Example{Format: FormatTerraformModule, Name: name + " (module ~> 20.0)", Want: want, Files: map[string]string{"main.tf": src}}
}

// addonCFNExample is a template with the cluster and its vpc-cni AWS::EKS::Addon.
func addonCFNExample(name string, want finding.Status, props string) Example {
	src := `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      Name: prod
      RoleArn: arn:aws:iam::111111111111:role/eks-cluster
      ResourcesVpcConfig:
        SubnetIds: [subnet-0a1b2c3d4e5f60718, subnet-0f1e2d3c4b5a69788]
        EndpointPrivateAccess: true
        EndpointPublicAccess: false
  VpcCni:
    Type: AWS::EKS::Addon
    Properties:
      ClusterName: !Ref Cluster
      AddonName: vpc-cni
` + indent(props, "      ") + `
`
	return Example{Format: FormatCloudFormationYAML, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// addonEksctlExample is a ClusterConfig with a vpc-cni entry in addons.
func addonEksctlExample(name string, want finding.Status, addon string) Example {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: us-east-1
addons:
  - name: vpc-cni
    version: latest
` + indent(addon, "    ") + `
`
	return Example{Format: FormatEksctl, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// ecrTFExample declares two repositories with the given scanning settings, and extra (a registry
// scanning configuration) beside them.
func ecrTFExample(name string, want finding.Status, scanning, extra string) Example {
	src := `resource "aws_ecr_repository" "api" {
  name                 = "team/api"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
` + indent(scanning, "    ") + `
  }
}

resource "aws_ecr_repository" "worker" {
  name = "team/worker"

  image_scanning_configuration {
` + indent(scanning, "    ") + `
  }
}
`
	if extra != "" {
		src += "\n" + extra
	}
	return Example{Format: FormatTerraform, Name: name, Want: want, Files: map[string]string{"ecr.tf": src}}
}

// ecrCFNExample is a template with one repository.
func ecrCFNExample(name string, want finding.Status, scanning string) Example {
	src := `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: team/api
`
	if scanning != "" {
		src += "      ImageScanningConfiguration:\n" + indent(scanning, "        ") + "\n"
	}
	return Example{Format: FormatCloudFormationYAML, Name: name, Want: want, Files: map[string]string{"ecr.yaml": src}}
}
