package emulator

import (
	"sort"
	"time"
)

// managedPolicy is an AWS managed policy as IAM serves it in every account.
type managedPolicy struct {
	name, id, version string
	created, updated  string // RFC 3339
	document          string
}

func (p *managedPolicy) arn() string { return "arn:aws:iam::aws:policy/" + p.name }

func (p *managedPolicy) createDate() time.Time { t, _ := time.Parse(time.RFC3339, p.created); return t }

func (p *managedPolicy) updateDate() time.Time { t, _ := time.Parse(time.RFC3339, p.updated); return t }

// managedPolicies are the AWS managed policies the emulator knows, with their
// ids, dates, default versions and documents as IAM served them in August 2026
// (the current versions: ReadOnly, PowerUser and FullAccess v3 of 2019-2020,
// PullOnly v1 of October 2024, WorkerNode v3 of November 2023, CNI v6 of
// March 2026, SSM core v2 of 2019). Descriptions are left out rather than
// guessed.
var managedPolicies = []*managedPolicy{
	{
		name: "AmazonEC2ContainerRegistryReadOnly", id: "ANPAIFYZPA37OOHVIH7KQ", version: "v3",
		created: "2015-12-21T17:04:15Z", updated: "2019-12-10T20:56:32Z",
		document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:GetRepositoryPolicy",
                "ecr:DescribeRepositories",
                "ecr:ListImages",
                "ecr:DescribeImages",
                "ecr:BatchGetImage",
                "ecr:GetLifecyclePolicy",
                "ecr:GetLifecyclePolicyPreview",
                "ecr:ListTagsForResource",
                "ecr:DescribeImageScanFindings"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		name: "AmazonEC2ContainerRegistryPullOnly", id: "ANPAZKAPJZG4ACPA6HO4Q", version: "v1",
		created: "2024-10-04T16:58:49Z", updated: "2024-10-04T16:58:49Z",
		document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchGetImage",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchImportUpstreamImage"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		name: "AmazonEC2ContainerRegistryPowerUser", id: "ANPAJDNE5PIHROIBGGDDW", version: "v3",
		created: "2015-12-21T17:05:33Z", updated: "2019-12-10T20:48:08Z",
		document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:GetRepositoryPolicy",
                "ecr:DescribeRepositories",
                "ecr:ListImages",
                "ecr:DescribeImages",
                "ecr:BatchGetImage",
                "ecr:GetLifecyclePolicy",
                "ecr:GetLifecyclePolicyPreview",
                "ecr:ListTagsForResource",
                "ecr:DescribeImageScanFindings",
                "ecr:InitiateLayerUpload",
                "ecr:UploadLayerPart",
                "ecr:CompleteLayerUpload",
                "ecr:PutImage"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		name: "AmazonEC2ContainerRegistryFullAccess", id: "ANPAIESRL7KD7IIVF6V4W", version: "v3",
		created: "2015-12-21T17:06:48Z", updated: "2020-12-05T00:04:19Z",
		document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ecr:*",
                "cloudtrail:LookupEvents"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceLinkedRole"
            ],
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "iam:AWSServiceName": [
                        "replication.ecr.amazonaws.com"
                    ]
                }
            }
        }
    ]
}`,
	},
	{
		name: "AmazonEKSWorkerNodePolicy", id: "ANPAIBVMOY52IPQ6HD3PO", version: "v3",
		created: "2018-05-27T21:09:01Z", updated: "2023-11-27T00:06:13Z",
		document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "WorkerNodePermissions",
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeRouteTables",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeVolumes",
                "ec2:DescribeVolumesModifications",
                "ec2:DescribeVpcs",
                "eks:DescribeCluster",
                "eks-auth:AssumeRoleForPodIdentity"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
	{
		name: "AmazonEKS_CNI_Policy", id: "ANPAJWLAS474LDBXNNTM4", version: "v6",
		created: "2018-05-27T21:07:42Z", updated: "2026-03-04T19:12:14Z",
		document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AmazonEKSCNIPolicy",
            "Effect": "Allow",
            "Action": [
                "ec2:AssignPrivateIpAddresses",
                "ec2:AttachNetworkInterface",
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeInstances",
                "ec2:DescribeTags",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DetachNetworkInterface",
                "ec2:ModifyNetworkInterfaceAttribute",
                "ec2:UnassignPrivateIpAddresses"
            ],
            "Resource": "*"
        },
        {
            "Sid": "AmazonEKSCNIPolicyENITag",
            "Effect": "Allow",
            "Action": [
                "ec2:CreateTags"
            ],
            "Resource": [
                "arn:aws:ec2:*:*:network-interface/*"
            ]
        }
    ]
}`,
	},
	{
		name: "AmazonSSMManagedInstanceCore", id: "ANPAIXSHM2BNB2D3AXXRU", version: "v2",
		created: "2019-03-15T17:22:12Z", updated: "2019-05-23T16:54:21Z",
		document: `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "ssm:DescribeAssociation",
                "ssm:GetDeployablePatchSnapshotForInstance",
                "ssm:GetDocument",
                "ssm:DescribeDocument",
                "ssm:GetManifest",
                "ssm:GetParameter",
                "ssm:GetParameters",
                "ssm:ListAssociations",
                "ssm:ListInstanceAssociations",
                "ssm:PutInventory",
                "ssm:PutComplianceItems",
                "ssm:PutConfigurePackageResult",
                "ssm:UpdateAssociationStatus",
                "ssm:UpdateInstanceAssociationStatus",
                "ssm:UpdateInstanceInformation"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "ssmmessages:CreateControlChannel",
                "ssmmessages:CreateDataChannel",
                "ssmmessages:OpenControlChannel",
                "ssmmessages:OpenDataChannel"
            ],
            "Resource": "*"
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2messages:AcknowledgeMessage",
                "ec2messages:DeleteMessage",
                "ec2messages:FailMessage",
                "ec2messages:GetEndpoint",
                "ec2messages:GetMessages",
                "ec2messages:SendReply"
            ],
            "Resource": "*"
        }
    ]
}`,
	},
}

var managedByArn = func() map[string]*managedPolicy {
	m := make(map[string]*managedPolicy, len(managedPolicies))
	for _, p := range managedPolicies {
		m[p.arn()] = p
	}
	return m
}()

// ManagedPolicyArns lists the AWS managed policy ARNs the emulator knows.
func ManagedPolicyArns() []string {
	out := make([]string, 0, len(managedPolicies))
	for _, p := range managedPolicies {
		out = append(out, p.arn())
	}
	sort.Strings(out)
	return out
}
