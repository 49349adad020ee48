package check

import (
	"slices"
	"strings"

	"github.com/eksguard/eksguard/internal/finding"
	"github.com/eksguard/eksguard/internal/model"
)

// LoggingEvidence is what the audit logging check saw.
type LoggingEvidence struct {
	Status string `json:"status,omitempty"`
	// EnabledLogTypes and DisabledLogTypes are null when the logging settings are unknown.
	EnabledLogTypes  []string     `json:"enabledLogTypes"`
	DisabledLogTypes []string     `json:"disabledLogTypes"`
	Origin           model.Origin `json:"origin"`
	Context
}

// AuditLogging passes when every control plane log type goes to CloudWatch Logs. The benchmark's
// audit asks for all five, not only audit: the API server, authenticator, controller manager and
// scheduler logs are what an investigation needs beside the audit log.
var AuditLogging = register(&Check{
	ID:       "eks-audit-logging",
	Title:    "Control plane logging on for every log type",
	Summary:  "api, audit, authenticator, controllerManager and scheduler logs enabled",
	Severity: SeverityMedium,
	Rationale: "Without control plane logs there is no record of who called the Kubernetes API, what the " +
		"authenticator allowed, or what the controllers did: an intrusion or a mistake leaves no trace to " +
		"investigate. EKS sends no control plane logs unless they are turned on.",
	Links: []Link{
		{Title: "Send control plane logs to CloudWatch Logs", URL: "https://docs.aws.amazon.com/eks/latest/userguide/control-plane-logs.html"},
		{Title: "CIS Amazon EKS Benchmark", URL: "https://www.cisecurity.org/benchmark/kubernetes"},
	},
	Reads: []model.Field{model.FieldEnabledLogTypes},
	Calls: []APICall{{Action: "eks:DescribeCluster", What: "logging.clusterLogging, every entry (EKS lists an enabled and a disabled one)"}},
	IaC: []IaCField{
		{FormatTerraform, "aws_eks_cluster.enabled_cluster_log_types", "none"},
		{FormatTerraformModule, "cluster_enabled_log_types (v17-v20), enabled_log_types (v21)", "v17 none; v18 and later audit, api and authenticator"},
		{FormatTerraformPlan, "resource_changes[].change.after.enabled_cluster_log_types", "none"},
		{FormatCloudFormationYAML, "AWS::EKS::Cluster Properties.Logging.ClusterLogging.EnabledTypes[].Type", "none"},
		{FormatEksctl, "cloudWatch.clusterLogging.enableTypes (\"*\" and \"all\" mean every type)", "none"},
		{FormatClusterAPI, "AWSManagedControlPlane spec.logging.apiServer, audit, authenticator, controllerManager, scheduler", "none (no spec.logging sends no logging; a type left out is false)"},
		{FormatACK, "Cluster (eks.services.k8s.aws) spec.logging.clusterLogging[].enabled, types", "none"},
		{FormatPulumiAWS, "aws:eks:Cluster properties.enabledClusterLogTypes", "none"},
		{FormatPulumiEKS, "eks:Cluster properties.enabledClusterLogTypes", "none"},
		{FormatCrossplaneUpbound, "Cluster (eks.aws.upbound.io) spec.forProvider.enabledClusterLogTypes", "none"},
		{FormatCrossplaneClassic, "Cluster (eks.aws.crossplane.io) spec.forProvider.logging.clusterLogging[].enabled, types", "none"},
		{FormatCrossplaneComposition, "a Composition resource's base, spelt as its Cluster kind spells it (a patch writing it makes it unknown)", "none"},
		{FormatKro, "a ResourceGraphDefinition resource's template, spelt as its cluster kind spells it (a ${...} CEL expression in it makes it unknown)", "none"},
	},
	PassRule: "every one of api, audit, authenticator, controllerManager and scheduler is in an enabled entry of " +
		"logging.clusterLogging (all entries are read; a type listed twice counts once).",
	Defaults: "EKS creates a cluster with every log type disabled; terraform-aws-modules/eks v18 and later enable " +
		"audit, api and authenticator only, which still fails.",
	judge: judgeLogging,
	want: func(*model.Cluster, Options) (model.Settings, string) {
		return model.Settings{EnabledLogTypes: append([]string{}, model.LogTypes...)}, ""
	},
	Examples: []Example{
		tfExample("every log type", finding.Pass, "", `enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]`),
		tfExample("audit and api only", finding.Fail, "", `enabled_cluster_log_types = ["api", "audit"]`),
		tfExample("defaults: no logs", finding.Fail, "", ""),
		moduleExample("every log type", finding.Pass, "~> 20.0", `cluster_enabled_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]`),
		moduleExample("defaults: three types", finding.Fail, "~> 20.0", ""),
		moduleExample("defaults: no logs", finding.Fail, "~> 17.0", ""),
		cfnYAMLExample("every log type", finding.Pass, "", "Logging:\n  ClusterLogging:\n    EnabledTypes:\n      - Type: api\n      - Type: audit\n      - Type: authenticator\n      - Type: controllerManager\n      - Type: scheduler"),
		cfnYAMLExample("defaults: no logs", finding.Fail, "", ""),
		cfnJSONExample("audit only", finding.Fail, "", `"Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": "audit"}]}}`),
		cfnJSONExample("every log type", finding.Pass, "", `"Logging": {"ClusterLogging": {"EnabledTypes": [{"Type": "api"}, {"Type": "audit"}, {"Type": "authenticator"}, {"Type": "controllerManager"}, {"Type": "scheduler"}]}}`),
		eksctlExample("every log type", finding.Pass, "cloudWatch:\n  clusterLogging:\n    enableTypes: [\"*\"]"),
		eksctlExample("two types", finding.Fail, "cloudWatch:\n  clusterLogging:\n    enableTypes: [\"api\", \"audit\"]"),
		eksctlExample("defaults: no logs", finding.Fail, ""),
		capaExample("every log type", finding.Pass, "logging:\n  apiServer: true\n  audit: true\n  authenticator: true\n  controllerManager: true\n  scheduler: true"),
		capaExample("audit only", finding.Fail, "logging:\n  audit: true"),
		ackExample("every log type", finding.Pass, "", "logging:\n  clusterLogging:\n    - enabled: true\n      types: [api, audit, authenticator, controllerManager, scheduler]"),
		ackExample("defaults: no logs", finding.Fail, "", ""),
		upboundExample("every log type", finding.Pass, "", "enabledClusterLogTypes: [api, audit, authenticator, controllerManager, scheduler]"),
		upboundExample("audit only", finding.Fail, "", "enabledClusterLogTypes: [audit]"),
		crossplaneClassicExample("every log type", finding.Pass, "", "logging:\n  clusterLogging:\n    - enabled: true\n      types: [api, audit, authenticator, controllerManager, scheduler]"),
		crossplaneClassicExample("defaults: no logs", finding.Fail, "", ""),
		compositionExample("every log type", finding.Pass, "", "enabledClusterLogTypes: [api, audit, authenticator, controllerManager, scheduler]"),
		compositionExample("defaults: no logs", finding.Fail, "", ""),
		kroExample("every log type", finding.Pass, "", "logging:\n  clusterLogging:\n    - enabled: true\n      types: [api, audit, authenticator, controllerManager, scheduler]"),
		kroExample("defaults: no logs", finding.Fail, "", ""),
		pulumiAWSExample("every log type", finding.Pass, "", "enabledClusterLogTypes:\n  - api\n  - audit\n  - authenticator\n  - controllerManager\n  - scheduler"),
		pulumiAWSExample("audit and api only", finding.Fail, "", "enabledClusterLogTypes: [api, audit]"),
		pulumiEKSExample("every log type", finding.Pass, "enabledClusterLogTypes: [api, audit, authenticator, controllerManager, scheduler]"),
		pulumiEKSExample("defaults: no logs", finding.Fail, ""),
		planExample("every log type", finding.Pass, `"endpoint_private_access": true, "endpoint_public_access": false`, `"enabled_cluster_log_types": ["api", "audit", "authenticator", "controllerManager", "scheduler"]`),
		planExample("no logs", finding.Fail, `"endpoint_private_access": true, "endpoint_public_access": false`, `"enabled_cluster_log_types": null`),
	},
})

func judgeLogging(c *model.Cluster) Outcome {
	l := c.EnabledLogTypes
	ev := LoggingEvidence{Status: c.Status, Origin: origin(l.Origin), Context: contextOf(c)}
	o := Outcome{Evidence: &ev, Location: firstLoc(c, l.Loc)}
	if !l.Known() {
		o.Status = finding.Unknown
		o.Reason = unknownField(model.FieldEnabledLogTypes, l.Detail) + ", so whether every control plane log type is enabled cannot be judged"
		return o
	}
	enabled := map[string]bool{}
	for _, t := range l.Values {
		enabled[t] = true
	}
	ev.EnabledLogTypes, ev.DisabledLogTypes = []string{}, []string{}
	for _, t := range model.LogTypes {
		if enabled[t] {
			ev.EnabledLogTypes = append(ev.EnabledLogTypes, t)
		} else {
			ev.DisabledLogTypes = append(ev.DisabledLogTypes, t)
		}
	}
	if len(ev.DisabledLogTypes) == 0 {
		o.Status = finding.Pass
		o.Reason = "every control plane log type is sent to CloudWatch Logs (" + strings.Join(model.LogTypes, ", ") + ")"
		return o
	}
	o.Status = finding.Fail
	what := "control plane logging is off"
	if len(ev.EnabledLogTypes) > 0 {
		what = "control plane logging is on for " + strings.Join(ev.EnabledLogTypes, ", ") + " only"
	}
	o.Reason = what + "; not sent to CloudWatch Logs: " + strings.Join(ev.DisabledLogTypes, ", ")
	if slices.Contains(ev.DisabledLogTypes, model.LogAudit) {
		o.Reason += " (including the audit log)"
	}
	return o
}
