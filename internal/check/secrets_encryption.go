package check

import (
	"fmt"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// EncryptionEvidence is what the secrets encryption check saw.
type EncryptionEvidence struct {
	Status string `json:"status,omitempty"`
	// KeyARN is the KMS key secrets are encrypted with, "" when none, null when unknown.
	KeyARN *string      `json:"keyArn"`
	Origin model.Origin `json:"origin"`
	Context
}

// exampleKey is the KMS key the examples use.
const exampleKey = "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// SecretsEncryption passes when Kubernetes secrets are envelope-encrypted with a KMS key the account
// controls. EKS encrypts its etcd volumes, and since Kubernetes 1.28 secrets too, with keys AWS owns;
// the control asks for a key whose policy, rotation and use the account decides and CloudTrail logs.
var SecretsEncryption = register(&Check{
	ID:       "eks-secrets-encryption",
	Title:    "Kubernetes secrets encrypted with a customer managed KMS key",
	Summary:  "an encryptionConfig entry for secrets with a KMS key ARN",
	Severity: SeverityMedium,
	Rationale: "With a customer managed key, reading a secret from etcd or a backup needs the key as well, and " +
		"every use of the key is in CloudTrail; disabling the key makes the secrets unreadable. EKS's own " +
		"default encryption uses AWS-owned keys, which the account can neither audit nor revoke.",
	Links: []Link{
		{Title: "Encrypt Kubernetes secrets with KMS on existing clusters", URL: "https://docs.aws.amazon.com/eks/latest/userguide/enable-kms.html"},
		{Title: "Default envelope encryption for all Kubernetes API data", URL: "https://docs.aws.amazon.com/eks/latest/userguide/envelope-encryption.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Reads: []model.Field{model.FieldSecretsKeyARN},
	Calls: []APICall{{Action: "eks:DescribeCluster", What: "encryptionConfig[].resources and provider.keyArn"}},
	IaC: []IaCField{
		{FormatTerraform, "aws_eks_cluster.encryption_config { resources = [\"secrets\"], provider { key_arn } }", "none"},
		{FormatTerraformModule, "cluster_encryption_config (v17-v20), encryption_config (v21); create_kms_key", "v17-v18 none; v19 and later a key the module creates"},
		{FormatTerraformPlan, "resource_changes[].change.after.encryption_config[0]", "none"},
		{FormatCloudFormationYAML, "AWS::EKS::Cluster Properties.EncryptionConfig[].Resources, Provider.KeyArn", "none"},
		{FormatEksctl, "secretsEncryption.keyARN", "none"},
		{FormatClusterAPI, "AWSManagedControlPlane spec.encryptionConfig.provider, resources", "none"},
		{FormatACK, "Cluster (eks.services.k8s.aws) spec.encryptionConfig[].resources, provider.keyARN or provider.keyRef", "none"},
		{FormatPulumiAWS, "aws:eks:Cluster properties.encryptionConfig.resources, provider.keyArn", "none"},
		{FormatPulumiEKS, "eks:Cluster properties.encryptionConfigKeyArn (pulumi-eks adds resources: [secrets])", "none"},
		{FormatCrossplaneUpbound, "Cluster (eks.aws.upbound.io) spec.forProvider.encryptionConfig.resources, provider.keyArn (v1beta1: encryptionConfig[0].provider[0].keyArn)", "none"},
		{FormatCrossplaneClassic, "Cluster (eks.aws.crossplane.io) spec.forProvider.encryptionConfig[].resources, provider.keyArn", "none"},
		{FormatCrossplaneComposition, "a Composition resource's base, spelt as its Cluster kind spells it (a patch writing it makes it unknown)", "none"},
		{FormatKro, "a ResourceGraphDefinition resource's template, spelt as its cluster kind spells it (a ${...} CEL expression in it makes it unknown)", "none"},
	},
	PassRule: "an encryptionConfig entry lists secrets in its resources and has a provider.keyArn.",
	Defaults: "EKS creates a cluster without encryptionConfig; terraform-aws-modules/eks v19 and later create a key " +
		"and encrypt secrets with it by default.",
	Caution: "secrets encryption cannot be removed once associated",
	judge:   judgeEncryption,
	remedy: func(c *model.Cluster) string {
		if c.Source.Live() {
			return fmt.Sprintf("aws eks associate-encryption-config --region %s --cluster-name %s --encryption-config '[{\"resources\":[\"secrets\"],\"provider\":{\"keyArn\":\"KEY_ARN\"}}]', with KEY_ARN a symmetric customer managed KMS key in %s (secrets encryption cannot be removed once associated)",
				shellQuote(c.Region), shellQuote(c.Name), c.Region)
		}
		return "encrypt secrets with a customer managed KMS key in the cluster definition; eksguard iac --kms-key-arn ARN writes the edit"
	},
	want: func(_ *model.Cluster, o Options) (model.Settings, string) {
		if o.KMSKeyARN == "" {
			return model.Settings{}, "encrypting secrets needs a customer managed KMS key: eksguard iac --kms-key-arn ARN writes the edit; on a live cluster, aws eks associate-encryption-config (it cannot be undone)"
		}
		return model.Settings{SecretsKeyARN: model.Ptr(o.KMSKeyARN)}, ""
	},
	Examples: []Example{
		tfExample("a key of the account's", finding.Pass, "", "encryption_config {\n  resources = [\"secrets\"]\n  provider {\n    key_arn = \""+exampleKey+"\"\n  }\n}"),
		withKey(tfExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		moduleExample("defaults: a key the module creates", finding.Pass, "~> 20.0", ""),
		withKey(moduleExample("defaults: AWS-owned keys", finding.Fail, "~> 18.0", "")),
		cfnYAMLExample("a key of the account's", finding.Pass, "", "EncryptionConfig:\n  - Resources: [secrets]\n    Provider:\n      KeyArn: "+exampleKey),
		withKey(cfnYAMLExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		withKey(cfnJSONExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		cfnJSONExample("a key of the account's", finding.Pass, "", `"EncryptionConfig": [{"Resources": ["secrets"], "Provider": {"KeyArn": "`+exampleKey+`"}}]`),
		eksctlExample("a key of the account's", finding.Pass, "secretsEncryption:\n  keyARN: "+exampleKey),
		withKey(eksctlExample("defaults: AWS-owned keys", finding.Fail, "")),
		capaExample("a key of the account's", finding.Pass, "encryptionConfig:\n  provider: "+exampleKey+"\n  resources:\n    - secrets"),
		withKey(capaExample("defaults: AWS-owned keys", finding.Fail, "")),
		ackExample("a key of the account's", finding.Pass, "", "encryptionConfig:\n  - resources: [secrets]\n    provider:\n      keyARN: "+exampleKey),
		withKey(ackExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		upboundExample("a key of the account's", finding.Pass, "", "encryptionConfig:\n  resources: [secrets]\n  provider:\n    keyArn: "+exampleKey),
		withKey(upboundExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		crossplaneClassicExample("a key of the account's", finding.Pass, "", "encryptionConfig:\n  - resources: [secrets]\n    provider:\n      keyArn: "+exampleKey),
		withKey(crossplaneClassicExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		compositionExample("a key of the account's", finding.Pass, "", "encryptionConfig:\n  resources: [secrets]\n  provider:\n    keyArn: "+exampleKey),
		withKey(compositionExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		kroExample("a key of the account's", finding.Pass, "", "encryptionConfig:\n  - resources: [secrets]\n    provider:\n      keyARN: "+exampleKey),
		withKey(kroExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		pulumiAWSExample("a key of the account's", finding.Pass, "", "encryptionConfig:\n  provider:\n    keyArn: "+exampleKey+"\n  resources:\n    - secrets"),
		withKey(pulumiAWSExample("defaults: AWS-owned keys", finding.Fail, "", "")),
		pulumiEKSExample("a key of the account's", finding.Pass, "encryptionConfigKeyArn: "+exampleKey+""),
		withKey(pulumiEKSExample("defaults: AWS-owned keys", finding.Fail, "")),
		planExample("a key of the account's", finding.Pass, `"endpoint_private_access": true, "endpoint_public_access": false`, `"encryption_config": [{"resources": ["secrets"], "provider": [{"key_arn": "`+exampleKey+`"}]}]`),
		planExample("no encryption config", finding.Fail, `"endpoint_private_access": true, "endpoint_public_access": false`, `"encryption_config": []`),
	},
})

// withKey gives a bad example the key its fix writes.
func withKey(e Example) Example {
	e.Options = Options{KMSKeyARN: exampleKey}
	return e
}

func judgeEncryption(c *model.Cluster) Outcome {
	k := c.SecretsKeyARN
	ev := EncryptionEvidence{Status: c.Status, Origin: origin(k.Origin), Context: contextOf(c)}
	o := Outcome{Evidence: &ev, Location: firstLoc(c, k.Loc)}
	if !k.Known() {
		o.Status = finding.Unknown
		o.Reason = unknownField(model.FieldSecretsKeyARN, k.Detail) + ", so whether secrets are encrypted with a key of the account's cannot be judged"
		return o
	}
	v := k.Value
	ev.KeyARN = &v
	if v == "" {
		o.Status = finding.Fail
		o.Reason = "Kubernetes secrets are not encrypted with a customer managed KMS key: EKS's default encryption uses AWS-owned keys, and the control asks for a key of the account's"
		if k.Detail != "" {
			o.Reason += " (" + k.Detail + ")"
		}
		return o
	}
	o.Status, o.Reason = finding.Pass, "Kubernetes secrets are encrypted with the KMS key "+v
	if k.Origin == model.OriginDefault && k.Detail != "" {
		o.Reason += " (" + k.Detail + ")"
	}
	return o
}
