package check

import "github.com/eksguard/eksguard/internal/finding"

// upboundExample is the Upbound AWS provider's Cluster (eks.aws.upbound.io/v1beta2); vpc is YAML
// inside spec.forProvider.vpcConfig, top inside spec.forProvider.
func upboundExample(name string, want finding.Status, vpc, top string) Example {
	src := `apiVersion: eks.aws.upbound.io/v1beta2
kind: Cluster
metadata:
  name: prod
spec:
  forProvider:
    region: us-east-1
    version: "1.32"
    roleArn: arn:aws:iam::111111111111:role/eks-cluster
` + indent(top, "    ") + `
    vpcConfig:
      subnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0f1e2d3c4b5a69788
` + indent(vpc, "      ") + `
  providerConfigRef:
    name: default
`
	return Example{Format: FormatCrossplaneUpbound, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// crossplaneClassicExample is the classic Crossplane AWS provider's Cluster
// (eks.aws.crossplane.io/v1beta1); vpc is YAML inside spec.forProvider.resourcesVpcConfig, top inside
// spec.forProvider.
func crossplaneClassicExample(name string, want finding.Status, vpc, top string) Example {
	src := `apiVersion: eks.aws.crossplane.io/v1beta1
kind: Cluster
metadata:
  name: prod
spec:
  forProvider:
    region: us-east-1
    version: "1.32"
    roleArn: arn:aws:iam::111111111111:role/eks-cluster
` + indent(top, "    ") + `
    resourcesVpcConfig:
      subnetIds:
        - subnet-0a1b2c3d4e5f60718
        - subnet-0f1e2d3c4b5a69788
` + indent(vpc, "      ") + `
  writeConnectionSecretToRef:
    name: prod-kubeconfig
    namespace: crossplane-system
`
	return Example{Format: FormatCrossplaneClassic, Name: name, Want: want, Files: map[string]string{"cluster.yaml": src}}
}

// compositionExample is a Crossplane Composition in Pipeline mode (function-patch-and-transform)
// composing a VPC and an Upbound v1beta2 Cluster whose region comes from the composite; vpc is YAML
// inside the cluster base's spec.forProvider.vpcConfig, top inside its spec.forProvider.
func compositionExample(name string, want finding.Status, vpc, top string) Example {
	src := `apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata:
  name: xclusters.platform.example.org
spec:
  compositeTypeRef:
    apiVersion: platform.example.org/v1alpha1
    kind: XCluster
  mode: Pipeline
  pipeline:
    - step: patch-and-transform
      functionRef:
        name: function-patch-and-transform
      input:
        apiVersion: pt.fn.crossplane.io/v1beta1
        kind: Resources
        resources:
          - name: vpc
            base:
              apiVersion: ec2.aws.upbound.io/v1beta1
              kind: VPC
              spec:
                forProvider:
                  cidrBlock: 10.0.0.0/16
          - name: cluster
            base:
              apiVersion: eks.aws.upbound.io/v1beta2
              kind: Cluster
              spec:
                forProvider:
                  version: "1.32"
                  roleArn: arn:aws:iam::111111111111:role/eks-cluster
` + indent(top, "                  ") + `
                  vpcConfig:
                    subnetIdSelector:
                      matchControllerRef: true
` + indent(vpc, "                    ") + `
            patches:
              - fromFieldPath: spec.region
                toFieldPath: spec.forProvider.region
`
	return Example{Format: FormatCrossplaneComposition, Name: name, Want: want, Files: map[string]string{"composition.yaml": src}}
}

// kroExample is a kro ResourceGraphDefinition defining an EKSCluster API whose instances get an ACK
// Cluster named and versioned from the instance; vpc is YAML inside the template's
// spec.resourcesVPCConfig, top inside its spec.
func kroExample(name string, want finding.Status, vpc, top string) Example {
	src := `apiVersion: kro.run/v1alpha1
kind: ResourceGraphDefinition
metadata:
  name: eks-platform
spec:
  schema:
    apiVersion: v1alpha1
    kind: EKSCluster
    spec:
      name: string
      version: string | default="1.32"
  resources:
    - id: cluster
      template:
        apiVersion: eks.services.k8s.aws/v1alpha1
        kind: Cluster
        metadata:
          name: ${schema.spec.name}
        spec:
          name: ${schema.spec.name}
          version: ${schema.spec.version}
          roleARN: arn:aws:iam::111111111111:role/eks-cluster
` + indent(top, "          ") + `
          resourcesVPCConfig:
            subnetIDs:
              - subnet-0a1b2c3d4e5f60718
              - subnet-0f1e2d3c4b5a69788
` + indent(vpc, "            ") + "\n"
	return Example{Format: FormatKro, Name: name, Want: want, Files: map[string]string{"rgd.yaml": src}}
}
