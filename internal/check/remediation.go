package check

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/eksguard/eksguard/internal/model"
)

// LiveCommands are the aws CLI commands that give a live cluster the settings, one per kind of
// update (EKS accepts one kind per UpdateClusterConfig; secrets encryption has its own call).
func LiveCommands(c *model.Cluster, s model.Settings) []string {
	where := fmt.Sprintf("--region %s --name %s", shellQuote(c.Region), shellQuote(c.Name))
	var out []string
	if vpc := vpcConfigArg(s); vpc != "" {
		out = append(out, "aws eks update-cluster-config "+where+" --resources-vpc-config "+vpc)
	}
	if s.EnabledLogTypes != nil {
		b, _ := json.Marshal(map[string]any{"clusterLogging": []map[string]any{{"types": s.EnabledLogTypes, "enabled": true}}})
		out = append(out, "aws eks update-cluster-config "+where+" --logging "+shellQuote(string(b)))
	}
	if s.AuthenticationMode != nil {
		out = append(out, "aws eks update-cluster-config "+where+" --access-config authenticationMode="+shellQuote(*s.AuthenticationMode))
	}
	if s.SecretsKeyARN != nil {
		b, _ := json.Marshal([]map[string]any{{"resources": []string{"secrets"}, "provider": map[string]string{"keyArn": *s.SecretsKeyARN}}})
		out = append(out, fmt.Sprintf("aws eks associate-encryption-config --region %s --cluster-name %s --encryption-config %s", shellQuote(c.Region), shellQuote(c.Name), shellQuote(string(b))))
	}
	return out
}

// vpcConfigArg is the --resources-vpc-config value of the endpoint settings, "" when there are none.
func vpcConfigArg(s model.Settings) string {
	var parts []string
	if s.EndpointPrivateAccess != nil {
		parts = append(parts, "endpointPrivateAccess="+strconv.FormatBool(*s.EndpointPrivateAccess))
	}
	if s.EndpointPublicAccess != nil {
		parts = append(parts, "endpointPublicAccess="+strconv.FormatBool(*s.EndpointPublicAccess))
	}
	if s.PublicAccessCIDRs != nil {
		parts = append(parts, "publicAccessCidrs="+strings.Join(s.PublicAccessCIDRs, ","))
	}
	return strings.Join(parts, ",")
}

// Words says the settings in words, for a declared cluster ("endpointPrivateAccess=true and
// endpointPublicAccess=false").
func Words(s model.Settings) string {
	var parts []string
	if s.EndpointPrivateAccess != nil {
		parts = append(parts, "endpointPrivateAccess="+strconv.FormatBool(*s.EndpointPrivateAccess))
	}
	if s.EndpointPublicAccess != nil {
		parts = append(parts, "endpointPublicAccess="+strconv.FormatBool(*s.EndpointPublicAccess))
	}
	if s.PublicAccessCIDRs != nil {
		parts = append(parts, "publicAccessCidrs=["+strings.Join(s.PublicAccessCIDRs, ", ")+"]")
	}
	if s.EnabledLogTypes != nil {
		parts = append(parts, "the control plane log types "+strings.Join(s.EnabledLogTypes, ", ")+" enabled")
	}
	if s.AuthenticationMode != nil {
		parts = append(parts, "authenticationMode="+*s.AuthenticationMode)
	}
	if s.SecretsKeyARN != nil {
		parts = append(parts, "secrets encrypted with the KMS key "+*s.SecretsKeyARN)
	}
	return strings.Join(parts, " and ")
}

// guardedFix is the eksguard fix command that plans an endpoint change with safety checks; it only
// plans, so it is safe to copy and run. Other settings have no guarded fix.
func guardedFix(c *model.Cluster, s model.Settings) string {
	if !c.Source.Live() || (s.EndpointPublicAccess == nil && s.EndpointPrivateAccess == nil && s.PublicAccessCIDRs == nil) {
		return ""
	}
	target := "--private"
	switch {
	case s.EndpointPublicAccess != nil && *s.EndpointPublicAccess:
		target = "--restrict " + strings.Join(s.PublicAccessCIDRs, ",")
	case s.EndpointPublicAccess == nil && c.EndpointPublicAccess.Known() && c.EndpointPublicAccess.Value:
		// Only private access is missing: keep the allowlist the cluster has.
		target = "--restrict " + strings.Join(c.PublicAccessCIDRs.Values, ",")
	}
	return fmt.Sprintf("eksguard fix --cluster %s --region %s %s", shellQuote(c.Name), shellQuote(c.Region), target)
}

func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@=,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Remedy is the check's fix for a live cluster created with EKS's defaults (public endpoint open to
// the internet, no private access, no control plane logs, CONFIG_MAP authentication, no secrets
// encryption), for the options: the aws CLI commands, with CLUSTER and REGION standing for the
// cluster's name and region, the guarded eksguard fix when there is one, and the caution. When the
// check cannot choose its target (a KMS key it was not given), commands is empty and why says what
// is needed.
func (k *Check) Remedy(o Options) (commands []string, guarded, why string) {
	c := AtDefaults()
	if k.want == nil {
		return nil, "", "this check proposes no settings"
	}
	s, why := k.want(c, o)
	if why != "" {
		return nil, "", why
	}
	return LiveCommands(c, s), guardedFix(c, s), ""
}

// AtDefaults is a live cluster named CLUSTER in REGION with the settings EKS gives a cluster created
// without them.
func AtDefaults() *model.Cluster {
	const d = "EKS's default"
	return &model.Cluster{
		Name: "CLUSTER", Region: "REGION", Source: model.SourceAWS, Status: model.StatusActive,
		EndpointPublicAccess:  model.Default(true, d),
		EndpointPrivateAccess: model.Default(false, d),
		PublicAccessCIDRs:     model.DefaultList(d, model.DefaultPublicAccessCIDRs("")...),
		EnabledLogTypes:       model.DefaultList(d),
		AuthenticationMode:    model.DefaultString(model.DefaultAuthenticationMode, d),
		SecretsKeyARN:         model.DefaultString("", d),
	}
}
