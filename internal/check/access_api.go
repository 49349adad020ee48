package check

import (
	"fmt"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// AccessEvidence is what the cluster access manager check saw.
type AccessEvidence struct {
	Status             string       `json:"status,omitempty"`
	AuthenticationMode *string      `json:"authenticationMode"`
	Origin             model.Origin `json:"origin"`
	Context
}

// AccessAPI passes when the cluster takes EKS access entries (the cluster access manager API):
// authentication mode API or API_AND_CONFIG_MAP. With CONFIG_MAP alone, access is granted by editing
// the aws-auth ConfigMap inside the cluster, which IAM cannot audit or restrict.
var AccessAPI = register(&Check{
	ID:       "eks-access-api",
	Title:    "Cluster access managed with EKS access entries",
	Summary:  "authentication mode API or API_AND_CONFIG_MAP",
	Severity: SeverityMedium,
	Rationale: "Access entries grant Kubernetes access through the EKS API, where IAM policies, CloudTrail and " +
		"AWS Config see and control it. The aws-auth ConfigMap is an object inside the cluster: anyone who can " +
		"edit it can grant themselves access, a typo can lock everyone out, and nothing outside the cluster " +
		"records the change.",
	Links: []Link{
		{Title: "Grant IAM users access to Kubernetes with EKS access entries", URL: "https://docs.aws.amazon.com/eks/latest/userguide/access-entries.html"},
		{Title: "Change the authentication mode to use access entries", URL: "https://docs.aws.amazon.com/eks/latest/userguide/setting-up-access-entries.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Reads: []model.Field{model.FieldAuthenticationMode},
	Calls: []APICall{{Action: "eks:DescribeCluster", What: "accessConfig.authenticationMode"}},
	IaC: []IaCField{
		{FormatTerraform, "aws_eks_cluster.access_config.authentication_mode", "CONFIG_MAP (no access_config: EKS's CreateCluster default)"},
		{FormatTerraformModule, "authentication_mode (v20 and later; v17-v19 have none)", "v17-v19 CONFIG_MAP; v20 and later API_AND_CONFIG_MAP"},
		{FormatTerraformPlan, "resource_changes[].change.after.access_config[0].authentication_mode", "CONFIG_MAP"},
		{FormatCloudFormationYAML, "AWS::EKS::Cluster Properties.AccessConfig.AuthenticationMode", "CONFIG_MAP"},
		{FormatEksctl, "accessConfig.authenticationMode", "API_AND_CONFIG_MAP (eksctl's default; see docs/iac-cloudformation-eksctl.md)"},
		{FormatClusterAPI, "AWSManagedControlPlane spec.accessConfig.authenticationMode (v1beta2 only; config_map, api_and_config_map, api)", "CONFIG_MAP (no accessConfig: EKS's default; accessConfig without a mode: the CRD's config_map)"},
		{FormatACK, "Cluster (eks.services.k8s.aws) spec.accessConfig.authenticationMode", "CONFIG_MAP (EKS's default)"},
		{FormatPulumiAWS, "aws:eks:Cluster properties.accessConfig.authenticationMode", "CONFIG_MAP (EKS's default)"},
		{FormatPulumiEKS, "eks:Cluster properties.authenticationMode", "CONFIG_MAP (pulumi-eks sends no accessConfig, so EKS's default applies)"},
		{FormatCrossplaneUpbound, "Cluster (eks.aws.upbound.io) spec.forProvider.accessConfig.authenticationMode (v1beta1: accessConfig[0])", "CONFIG_MAP (Terraform sends no mode, so EKS's default applies)"},
		{FormatCrossplaneClassic, "Cluster (eks.aws.crossplane.io) spec.forProvider.accessConfig.authenticationMode (set by an update once the cluster exists)", "CONFIG_MAP (EKS's default)"},
		{FormatCrossplaneComposition, "a Composition resource's base, spelt as its Cluster kind spells it (a patch writing it makes it unknown)", "CONFIG_MAP"},
		{FormatKro, "a ResourceGraphDefinition resource's template, spelt as its cluster kind spells it (a ${...} CEL expression in it makes it unknown)", "CONFIG_MAP"},
	},
	PassRule: "accessConfig.authenticationMode is API or API_AND_CONFIG_MAP; CONFIG_MAP fails.",
	Defaults: "CreateCluster without accessConfig (the API, the SDKs, CloudFormation, the AWS provider) gives " +
		"CONFIG_MAP; the console, eksctl and terraform-aws-modules/eks v20 and later give API_AND_CONFIG_MAP. " +
		"A live response without accessConfig is unknown, never assumed.",
	Caution: "the authentication mode only moves forward: it cannot go back to CONFIG_MAP",
	judge:   judgeAccess,
	want: func(*model.Cluster, Options) (model.Settings, string) {
		return model.Settings{AuthenticationMode: model.Ptr(model.AuthAPIAndConfigMap)}, ""
	},
	Examples: []Example{
		tfExample("access entries only", finding.Pass, "", "access_config {\n  authentication_mode = \"API\"\n}"),
		tfExample("aws-auth only", finding.Fail, "", "access_config {\n  authentication_mode = \"CONFIG_MAP\"\n}"),
		tfExample("defaults: aws-auth only", finding.Fail, "", ""),
		moduleExample("defaults: both", finding.Pass, "~> 20.0", ""),
		moduleExample("aws-auth only", finding.Fail, "~> 20.0", `authentication_mode = "CONFIG_MAP"`),
		cfnYAMLExample("both", finding.Pass, "", "AccessConfig:\n  AuthenticationMode: API_AND_CONFIG_MAP"),
		cfnYAMLExample("defaults: aws-auth only", finding.Fail, "", ""),
		cfnJSONExample("aws-auth only", finding.Fail, "", `"AccessConfig": {"AuthenticationMode": "CONFIG_MAP"}`),
		cfnJSONExample("access entries only", finding.Pass, "", `"AccessConfig": {"AuthenticationMode": "API"}`),
		eksctlExample("access entries only", finding.Pass, "accessConfig:\n  authenticationMode: API"),
		eksctlExample("aws-auth only", finding.Fail, "accessConfig:\n  authenticationMode: CONFIG_MAP"),
		capaExample("both", finding.Pass, "accessConfig:\n  authenticationMode: api_and_config_map"),
		capaExample("defaults: aws-auth only", finding.Fail, ""),
		ackExample("access entries only", finding.Pass, "", "accessConfig:\n  authenticationMode: API"),
		ackExample("defaults: aws-auth only", finding.Fail, "", ""),
		upboundExample("both", finding.Pass, "", "accessConfig:\n  authenticationMode: API_AND_CONFIG_MAP"),
		upboundExample("defaults: aws-auth only", finding.Fail, "", ""),
		crossplaneClassicExample("access entries only", finding.Pass, "", "accessConfig:\n  authenticationMode: API"),
		crossplaneClassicExample("defaults: aws-auth only", finding.Fail, "", ""),
		compositionExample("both", finding.Pass, "", "accessConfig:\n  authenticationMode: API_AND_CONFIG_MAP"),
		compositionExample("aws-auth only", finding.Fail, "", "accessConfig:\n  authenticationMode: CONFIG_MAP"),
		kroExample("access entries only", finding.Pass, "", "accessConfig:\n  authenticationMode: API"),
		kroExample("defaults: aws-auth only", finding.Fail, "", ""),
		pulumiAWSExample("both", finding.Pass, "", "accessConfig:\n  authenticationMode: API_AND_CONFIG_MAP"),
		pulumiAWSExample("defaults: aws-auth only", finding.Fail, "", ""),
		pulumiEKSExample("access entries only", finding.Pass, "authenticationMode: API"),
		pulumiEKSExample("aws-auth only", finding.Fail, "authenticationMode: CONFIG_MAP"),
		planExample("both", finding.Pass, `"endpoint_private_access": true, "endpoint_public_access": false`, `"access_config": [{"authentication_mode": "API_AND_CONFIG_MAP", "bootstrap_cluster_creator_admin_permissions": true}]`),
		planExample("aws-auth only", finding.Fail, `"endpoint_private_access": true, "endpoint_public_access": false`, `"access_config": [{"authentication_mode": "CONFIG_MAP", "bootstrap_cluster_creator_admin_permissions": true}]`),
	},
})

func judgeAccess(c *model.Cluster) Outcome {
	m := c.AuthenticationMode
	ev := AccessEvidence{Status: c.Status, Origin: origin(m.Origin), Context: contextOf(c)}
	o := Outcome{Evidence: &ev, Location: firstLoc(c, m.Loc)}
	if !m.Known() {
		o.Status = finding.Unknown
		o.Reason = unknownField(model.FieldAuthenticationMode, m.Detail) + ", so whether the cluster takes access entries cannot be judged"
		return o
	}
	v := m.Value
	ev.AuthenticationMode = &v
	switch v {
	case model.AuthAPI:
		o.Status, o.Reason = finding.Pass, "authentication mode is API: access is granted only with EKS access entries"
	case model.AuthAPIAndConfigMap:
		o.Status, o.Reason = finding.Pass, "authentication mode is API_AND_CONFIG_MAP: access entries are on (the aws-auth ConfigMap is still read too)"
	case model.AuthConfigMap:
		o.Status = finding.Fail
		o.Reason = "authentication mode is CONFIG_MAP: access is granted only by the aws-auth ConfigMap inside the cluster; turn on access entries (API_AND_CONFIG_MAP keeps aws-auth working; the change cannot be undone)"
	default:
		o.Status = finding.Unknown
		o.Reason = fmt.Sprintf("authentication mode %q is not one EKS has (CONFIG_MAP, API_AND_CONFIG_MAP, API), so it cannot be judged", v)
	}
	if m.Origin == model.OriginDefault && m.Detail != "" {
		o.Reason += " (" + m.Detail + ")"
	}
	return o
}
