package check

import (
	"fmt"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
)

// The examples of every check are built on one realistic cluster per format, with the settings the
// example is about written where the format writes them: vpc is what goes inside the endpoint
// settings (vpc_config, ResourcesVpcConfig, vpc.clusterEndpoints), top what goes beside them at the
// cluster's level. Each example is one file, named as the format's files are named.

// tfExample is an aws_eks_cluster resource.
func tfExample(name string, want finding.Status, vpc, top string) Example {
	src := `variable "subnet_ids" {
  type    = list(string)
  default = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
}

resource "aws_eks_cluster" "main" {
  name     = "prod"
  role_arn = "arn:aws:iam::111111111111:role/eks-cluster"
  version  = "1.32"
` + indent(top, "  ") + `
  vpc_config {
    subnet_ids = var.subnet_ids
` + indent(vpc, "    ") + `
  }
}
`
	return Example{Format: FormatTerraform, Name: name, Want: want, Files: map[string]string{"main.tf": src}}
}

// moduleExample is a call of terraform-aws-modules/eks in the given version.
func moduleExample(name string, want finding.Status, version, args string) Example {
	src := `module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "` + version + `"

  cluster_name    = "prod"
  cluster_version = "1.32"
  vpc_id          = "vpc-0a1b2c3d4e5f60718"
  subnet_ids      = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]
` + indent(args, "  ") + `
}
`
	if strings.HasPrefix(strings.TrimLeft(version, "~>= "), "21") {
		src = strings.Replace(src, "cluster_name    = ", "name            = ", 1)
		src = strings.Replace(src, "cluster_version = ", "kubernetes_version = ", 1)
	}
	return Example{Format: FormatTerraformModule, Name: name + " (module " + version + ")", Want: want, Files: map[string]string{"main.tf": src}}
}

// cfnYAMLExample is an AWS::EKS::Cluster in a YAML template; vpc is indented under
// ResourcesVpcConfig, top under Properties.
func cfnYAMLExample(name string, want finding.Status, vpc, top string) Example {
	src := `AWSTemplateFormatVersion: "2010-09-09"
Description: Production EKS cluster
Parameters:
  SubnetIds:
    Type: List<AWS::EC2::Subnet::Id>
    Default: subnet-0a1b2c3d4e5f60718,subnet-0f1e2d3c4b5a69788
Resources:
  Cluster:
    Type: AWS::EKS::Cluster
    Properties:
      Name: prod
      Version: "1.32"
      RoleArn: arn:aws:iam::111111111111:role/eks-cluster
` + indent(top, "      ") + `
      ResourcesVpcConfig:
        SubnetIds: !Ref SubnetIds
` + indent(vpc, "        ") + `
`
	return Example{Format: FormatCloudFormationYAML, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// cfnJSONExample is an AWS::EKS::Cluster in a JSON template; vpc and top are JSON members, written
// without the braces around them.
func cfnJSONExample(name string, want finding.Status, vpc, top string) Example {
	vpcMembers := `"SubnetIds": ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]`
	if vpc != "" {
		vpcMembers += ", " + vpc
	}
	props := `"Name": "prod", "Version": "1.32", "RoleArn": "arn:aws:iam::111111111111:role/eks-cluster"`
	if top != "" {
		props += ",\n        " + top
	}
	src := `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "Cluster": {
      "Type": "AWS::EKS::Cluster",
      "Properties": {
        ` + props + `,
        "ResourcesVpcConfig": {` + vpcMembers + `}
      }
    }
  }
}
`
	return Example{Format: FormatCloudFormationJSON, Name: name, Want: want, Files: map[string]string{"cluster.json": src}}
}

// eksctlExample is a ClusterConfig; extra is YAML at the top level of the document.
func eksctlExample(name string, want finding.Status, extra string) Example {
	src := `apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: prod
  region: us-east-1
  version: "1.32"
` + extra + `
managedNodeGroups:
  - name: ng-1
    instanceType: m6i.large
    desiredCapacity: 2
    privateNetworking: true
`
	return Example{Format: FormatEksctl, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// capaExample is a Cluster API cluster on EKS: a Cluster and its AWSManagedControlPlane, in one
// manifest; spec is YAML inside the control plane's spec.
func capaExample(name string, want finding.Status, spec string) Example {
	src := `apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: prod
  namespace: clusters
spec:
  controlPlaneRef:
    apiVersion: controlplane.cluster.x-k8s.io/v1beta2
    kind: AWSManagedControlPlane
    name: prod-control-plane
---
apiVersion: controlplane.cluster.x-k8s.io/v1beta2
kind: AWSManagedControlPlane
metadata:
  name: prod-control-plane
  namespace: clusters
spec:
  eksClusterName: prod
  region: us-east-1
  version: v1.32.0
` + indent(spec, "  ") + "\n"
	return Example{Format: FormatClusterAPI, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// ackExample is an ACK EKS Cluster; vpc is YAML inside spec.resourcesVPCConfig, top inside spec.
func ackExample(name string, want finding.Status, vpc, top string) Example {
	src := `apiVersion: eks.services.k8s.aws/v1alpha1
kind: Cluster
metadata:
  name: prod
  namespace: infra
spec:
  name: prod
  version: "1.32"
  roleARN: arn:aws:iam::111111111111:role/eks-cluster
` + indent(top, "  ") + `
  resourcesVPCConfig:
    subnetIDs:
      - subnet-0a1b2c3d4e5f60718
      - subnet-0f1e2d3c4b5a69788
` + indent(vpc, "    ") + "\n"
	return Example{Format: FormatACK, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// planExample is a plan from terraform show -json creating the cluster; vpc and top are JSON members
// of vpc_config[0] and of the resource's values.
func planExample(name string, want finding.Status, vpc, top string) Example {
	values := `"name": "prod", "version": "1.32", "role_arn": "arn:aws:iam::111111111111:role/eks-cluster"`
	if top != "" {
		values += ", " + top
	}
	src := fmt.Sprintf(`{
  "format_version": "1.2",
  "terraform_version": "1.9.8",
  "resource_changes": [
    {
      "address": "aws_eks_cluster.main",
      "mode": "managed",
      "type": "aws_eks_cluster",
      "name": "main",
      "provider_name": "registry.terraform.io/hashicorp/aws",
      "change": {
        "actions": ["create"],
        "before": null,
        "after": {%s, "vpc_config": [{"subnet_ids": ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"], %s}]},
        "after_unknown": {"arn": true, "endpoint": true, "id": true}
      }
    }
  ]
}
`, values, vpc)
	return Example{Format: FormatTerraformPlan, Name: name, Want: want, Files: map[string]string{"plan.json": src}}
}

// pulumiAWSExample is a Pulumi YAML program with config, a variable, an IAM role and an
// aws:eks:Cluster; vpc is YAML inside properties.vpcConfig, top inside properties.
func pulumiAWSExample(name string, want finding.Status, vpc, top string) Example {
	src := `name: prod-eks
runtime: yaml
description: Production EKS cluster
config:
  clusterVersion:
    type: string
    default: "1.32"
variables:
  subnetIds:
    - subnet-0a1b2c3d4e5f60718
    - subnet-0f1e2d3c4b5a69788
resources:
  clusterRole:
    type: aws:iam:Role
    properties:
      assumeRolePolicy:
        fn::toJSON:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                Service: eks.amazonaws.com
              Action: sts:AssumeRole
  cluster:
    type: aws:eks:Cluster
    properties:
      name: prod
      version: ${clusterVersion}
      roleArn: ${clusterRole.arn}
` + indent(top, "      ") + `
      vpcConfig:
        subnetIds: ${subnetIds}
` + indent(vpc, "        ") + "\n"
	return Example{Format: FormatPulumiAWS, Name: name, Want: want, Files: map[string]string{"Pulumi.yaml": src}}
}

// pulumiEKSExample is a Pulumi YAML program with a pulumi-eks eks:Cluster; props is YAML inside its
// properties.
func pulumiEKSExample(name string, want finding.Status, props string) Example {
	src := `name: prod-eks
runtime: yaml
resources:
  cluster:
    type: eks:Cluster
    properties:
      vpcId: vpc-0a1b2c3d4e5f60718
      subnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0f1e2d3c4b5a69788
      instanceType: m6i.large
      desiredCapacity: 2
` + indent(props, "      ") + "\n"
	return Example{Format: FormatPulumiEKS, Name: name, Want: want, Files: map[string]string{"Pulumi.yaml": src}}
}

// withOptions gives an example the fix options its edit is made with.
func withOptions(e Example, o Options) Example {
	e.Options = o
	e.Name += " (" + o.Endpoint + ")"
	return e
}

func indent(s, prefix string) string {
	if s == "" {
		return ""
	}
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "\n")
}
