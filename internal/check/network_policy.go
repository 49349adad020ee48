package check

import (
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// NetworkPolicyEvidence is what the network policy check saw of the VPC CNI add-on.
type NetworkPolicyEvidence struct {
	Addon               string       `json:"addon"`
	Installed           bool         `json:"installedAsAddon"`
	Version             string       `json:"version,omitempty"`
	ConfigurationValues *string      `json:"configurationValues"`
	Origin              model.Origin `json:"origin,omitempty"`
	EnableNetworkPolicy *string      `json:"enableNetworkPolicy"`
	NodeAgentEnabled    *string      `json:"nodeAgentEnabled,omitempty"`
	Context
}

// VPCCNI is the EKS add-on name of the Amazon VPC CNI.
const VPCCNI = "vpc-cni"

// NetworkPolicy passes when the VPC CNI add-on enforces Kubernetes network policies
// (enableNetworkPolicy "true" in its configuration values), as version 1.8.0 of the benchmark
// audits it.
var NetworkPolicy = register(&Check{
	ID:       "eks-network-policy",
	Title:    "Network policy enforced by the VPC CNI",
	Summary:  `vpc-cni add-on configured with enableNetworkPolicy "true"`,
	Severity: SeverityMedium,
	Rationale: "Without a network policy engine, NetworkPolicy objects are accepted and silently ignored: every " +
		"pod can reach every other pod and the node's services. The Amazon VPC CNI enforces them with its " +
		"network policy agent once enableNetworkPolicy is set.",
	Links: []Link{
		{Title: "Limit pod traffic with Kubernetes network policies", URL: "https://docs.aws.amazon.com/eks/latest/userguide/cni-network-policy.html"},
		{Title: "Amazon VPC CNI add-on", URL: "https://docs.aws.amazon.com/eks/latest/userguide/managing-vpc-cni.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Parts: []model.Part{model.PartAddons},
	Calls: []APICall{{Action: "eks:DescribeAddon", What: "the vpc-cni add-on's configurationValues"}},
	IaC: []IaCField{
		{FormatTerraform, `aws_eks_addon (addon_name "vpc-cni").configuration_values`, "no configuration: network policy off"},
		{FormatTerraformModule, `cluster_addons["vpc-cni"].configuration_values (v21: addons)`, "no configuration: network policy off"},
		{FormatCloudFormationYAML, "AWS::EKS::Addon (AddonName vpc-cni) Properties.ConfigurationValues", "no configuration: network policy off"},
		{FormatEksctl, "addons[] (name vpc-cni).configurationValues", "no configuration: network policy off"},
	},
	PassRule: `The vpc-cni add-on's configurationValues (JSON or YAML) set enableNetworkPolicy to "true" (and do not ` +
		`turn the node agent off with nodeAgent.enabled "false"). Without the add-on (a self-managed VPC CNI, or ` +
		"another CNI such as Calico or Cilium) the control is MANUAL: check the aws-node DaemonSet's network policy " +
		"agent, or the other CNI's policy enforcement, in the cluster.",
	Defaults: "The add-on is created without configuration values, which leaves network policy off.",
	Advice: `aws eks update-addon --region REGION --cluster-name CLUSTER --addon-name vpc-cni --configuration-values '{"enableNetworkPolicy":"true"}' ` +
		"(needs VPC CNI 1.14 or later)",
	AdviceIaC: `give the vpc-cni add-on the configuration values {"enableNetworkPolicy":"true"}: Terraform ` +
		`configuration_values = jsonencode({ enableNetworkPolicy = "true" }) on aws_eks_addon or the module's vpc-cni entry, ` +
		"CloudFormation ConfigurationValues on AWS::EKS::Addon, eksctl configurationValues on the vpc-cni add-on (VPC CNI 1.14 or later)",
	judge: judgeNetworkPolicy,
	Examples: []Example{
		addonTFExample("network policy on", finding.Pass, `configuration_values = jsonencode({ enableNetworkPolicy = "true" })`),
		addonTFExample("add-on without configuration", finding.Fail, ""),
		addonCFNExample("network policy on", finding.Pass, `ConfigurationValues: '{"enableNetworkPolicy":"true"}'`),
		addonCFNExample("network policy off", finding.Fail, `ConfigurationValues: '{"enableNetworkPolicy":"false"}'`),
		addonEksctlExample("network policy on", finding.Pass, "configurationValues: |-\n  enableNetworkPolicy: \"true\""),
		addonEksctlExample("add-on without configuration", finding.Fail, ""),
		addonModuleExample("network policy on", finding.Pass, `configuration_values = jsonencode({ enableNetworkPolicy = "true" })`),
		addonModuleExample("add-on without configuration", finding.Fail, ""),
	},
})

func judgeNetworkPolicy(c *model.Cluster) Outcome {
	ev := &NetworkPolicyEvidence{Addon: VPCCNI, Context: contextOf(c)}
	o := Outcome{Evidence: ev, Location: c.Loc}
	var addon *model.Addon
	for i := range c.Addons {
		if c.Addons[i].Name == VPCCNI {
			addon = &c.Addons[i]
		}
	}
	if addon == nil {
		o.Status = finding.Manual
		o.Reason = "the VPC CNI is not installed as an EKS add-on (self-managed, or another CNI): check in the cluster that " +
			"network policies are enforced: the aws-node DaemonSet's aws-network-policy-agent container with " +
			"enable-network-policy-controller in the amazon-vpc-cni ConfigMap, or Calico or Cilium"
		return o
	}
	ev.Installed, ev.Version = true, addon.Version
	o.Location = firstLoc(c, addon.ConfigurationValues.Loc, addon.Loc)
	cv := addon.ConfigurationValues
	ev.Origin = origin(cv.Origin)
	if !cv.Known() {
		o.Status = finding.Unknown
		o.Reason = "the vpc-cni add-on's configuration values are unknown (" + cv.Detail + "), so whether it enforces network policy cannot be judged"
		return o
	}
	text := cv.Value
	ev.ConfigurationValues = &text
	enabled, agent, err := networkPolicySettings(text)
	if err != nil {
		o.Status = finding.Unknown
		o.Reason = "the vpc-cni add-on's configuration values cannot be read: " + err.Error()
		return o
	}
	ev.EnableNetworkPolicy, ev.NodeAgentEnabled = enabled, agent
	switch {
	case enabled == nil:
		o.Status = finding.Fail
		o.Reason = "the vpc-cni add-on does not set enableNetworkPolicy, so NetworkPolicy objects are not enforced (the default is off)"
	case !strings.EqualFold(*enabled, "true"):
		o.Status = finding.Fail
		o.Reason = fmt.Sprintf("the vpc-cni add-on sets enableNetworkPolicy to %q: NetworkPolicy objects are not enforced", *enabled)
	case agent != nil && strings.EqualFold(*agent, "false"):
		o.Status = finding.Fail
		o.Reason = `the vpc-cni add-on sets enableNetworkPolicy "true" but turns its node agent off (nodeAgent.enabled "false"), which is what enforces the policies`
	default:
		o.Status = finding.Pass
		o.Reason = `the vpc-cni add-on sets enableNetworkPolicy "true": NetworkPolicy objects are enforced`
	}
	if o.Status == finding.Fail && c.Source.Live() {
		o.Remediation = fmt.Sprintf(`aws eks update-addon --region %s --cluster-name %s --addon-name vpc-cni --configuration-values '{"enableNetworkPolicy":"true"}' `+
			"(needs VPC CNI 1.14 or later; keep the add-on's other configuration values in the document)", shellQuote(c.Region), shellQuote(c.Name))
	}
	return o
}

// networkPolicySettings reads enableNetworkPolicy and nodeAgent.enabled from an add-on's
// configuration values, JSON or YAML (JSON is YAML). Values are strings in the add-on's schema; a
// bare boolean is read as its text.
func networkPolicySettings(text string) (enabled, agent *string, err error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil, nil
	}
	var doc map[string]any
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		return nil, nil, fmt.Errorf("not JSON or YAML: %v", err)
	}
	if v, ok := doc["enableNetworkPolicy"]; ok {
		s := fmt.Sprint(v)
		enabled = &s
	}
	if na, ok := doc["nodeAgent"].(map[string]any); ok {
		if v, ok := na["enabled"]; ok {
			s := fmt.Sprint(v)
			agent = &s
		}
	}
	return enabled, agent, nil
}
