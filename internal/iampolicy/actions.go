package iampolicy

import "slices"

// ecrActions is the "Actions defined by Amazon Elastic Container Registry" table of the AWS Service
// Authorization Reference (service prefix "ecr"; the public registry, "ecr-public", is another service).
// Wildcards are expanded against this list, so an action missing here is one a wildcard can never be
// found to grant.
//
// ListImageReferrers is an API operation but not an IAM action: the API reference says the caller needs
// ecr:BatchGetImage for it. The replication-backfill operations (StartReplicationBackfill and friends)
// are in the ECR API but were not in the reference when this list was written; add them once they are.
var ecrActions = []string{
	"ecr:BatchCheckLayerAvailability",
	"ecr:BatchDeleteImage",
	"ecr:BatchGetImage",
	"ecr:BatchGetRepositoryScanningConfiguration",
	"ecr:BatchImportUpstreamImage",
	"ecr:CompleteLayerUpload",
	"ecr:CreatePullThroughCacheRule",
	"ecr:CreateRepository",
	"ecr:CreateRepositoryCreationTemplate",
	"ecr:DeleteLifecyclePolicy",
	"ecr:DeletePullThroughCacheRule",
	"ecr:DeleteRegistryPolicy",
	"ecr:DeleteRepository",
	"ecr:DeleteRepositoryCreationTemplate",
	"ecr:DeleteRepositoryPolicy",
	"ecr:DeleteSigningConfiguration",
	"ecr:DeregisterPullTimeUpdateExclusion",
	"ecr:DescribeImageReplicationStatus",
	"ecr:DescribeImageScanFindings",
	"ecr:DescribeImageSigningStatus",
	"ecr:DescribeImages",
	"ecr:DescribePullThroughCacheRules",
	"ecr:DescribeRegistry",
	"ecr:DescribeRepositories",
	"ecr:DescribeRepositoryCreationTemplates",
	"ecr:GetAccountSetting",
	"ecr:GetAuthorizationToken",
	"ecr:GetDownloadUrlForLayer",
	"ecr:GetImageCopyStatus",
	"ecr:GetLifecyclePolicy",
	"ecr:GetLifecyclePolicyPreview",
	"ecr:GetRegistryPolicy",
	"ecr:GetRegistryScanningConfiguration",
	"ecr:GetRepositoryPolicy",
	"ecr:GetSigningConfiguration",
	"ecr:InitiateLayerUpload",
	"ecr:ListImages",
	"ecr:ListPullTimeUpdateExclusions",
	"ecr:ListTagsForResource",
	"ecr:PutAccountSetting",
	"ecr:PutImage",
	"ecr:PutImageScanningConfiguration",
	"ecr:PutImageTagMutability",
	"ecr:PutLifecyclePolicy",
	"ecr:PutRegistryPolicy",
	"ecr:PutRegistryScanningConfiguration",
	"ecr:PutReplicationConfiguration",
	"ecr:PutSigningConfiguration",
	"ecr:RegisterPullTimeUpdateExclusion",
	"ecr:ReplicateImage",
	"ecr:SetRepositoryPolicy",
	"ecr:StartImageScan",
	"ecr:StartLifecyclePolicyPreview",
	"ecr:TagResource",
	"ecr:UntagResource",
	"ecr:UpdateImageStorageClass",
	"ecr:UpdatePullThroughCacheRule",
	"ecr:UpdateRepositoryCreationTemplate",
	"ecr:UploadLayerPart",
	"ecr:ValidatePullThroughCacheRule",
}

// pullActions are what a node needs to pull an image, and all that CIS 5.1.3 lets it have.
var pullActions = []string{
	"ecr:BatchCheckLayerAvailability",
	"ecr:BatchGetImage",
	"ecr:GetAuthorizationToken",
	"ecr:GetDownloadUrlForLayer",
}

// repositoryScoped are the actions whose only resource type is the repository, so a Deny on every
// repository ARN denies them. The others (registry settings, pull-through cache rules, creation
// templates, authorization tokens, tagging of several resource types) are authorised against "*" or
// another resource type, and only a Deny on "*" is sure to cover them. An action left out here by
// mistake makes a Deny look weaker than it is, which reports too much rather than too little.
var repositoryScoped = []string{
	"ecr:BatchCheckLayerAvailability",
	"ecr:BatchDeleteImage",
	"ecr:BatchGetImage",
	"ecr:BatchGetRepositoryScanningConfiguration",
	"ecr:BatchImportUpstreamImage",
	"ecr:CompleteLayerUpload",
	"ecr:CreateRepository",
	"ecr:DeleteLifecyclePolicy",
	"ecr:DeleteRepository",
	"ecr:DeleteRepositoryPolicy",
	"ecr:DescribeImageReplicationStatus",
	"ecr:DescribeImageScanFindings",
	"ecr:DescribeImages",
	"ecr:DescribeRepositories",
	"ecr:GetDownloadUrlForLayer",
	"ecr:GetLifecyclePolicy",
	"ecr:GetLifecyclePolicyPreview",
	"ecr:GetRepositoryPolicy",
	"ecr:InitiateLayerUpload",
	"ecr:ListImages",
	"ecr:PutImage",
	"ecr:PutImageScanningConfiguration",
	"ecr:PutImageTagMutability",
	"ecr:PutLifecyclePolicy",
	"ecr:SetRepositoryPolicy",
	"ecr:StartImageScan",
	"ecr:StartLifecyclePolicyPreview",
	"ecr:UploadLayerPart",
}

// Actions is the list of ECR (service prefix "ecr", private registry) IAM actions the evaluation expands
// wildcards against, sorted. It is a copy: changing it does not change the evaluation.
var Actions = slices.Clone(ecrActions)

// Pull is the four pull actions, sorted. It is a copy: changing it does not change the evaluation.
var Pull = slices.Clone(pullActions)
