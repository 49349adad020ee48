package awsapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"

	"github.com/eksguard/eksguard/internal/model"
)

// presence says which endpoint members a DescribeCluster response actually carried.
type presence struct {
	known                 bool // the raw body was available and parsed
	vpcConfig             bool
	publicAccess, private bool
	cidrs                 bool
}

// readPresence finds which endpoint members the response carried. It looks only inside the
// resourcesVpcConfig object, whose members are fixed names and values EKS writes (booleans, ids,
// CIDR blocks), so a member name cannot appear there other than as a key; user text such as tags
// lives outside it. A body it cannot make sense of is reported as unknown, and the SDK's values are
// then taken as they are.
func readPresence(raw []byte) presence {
	obj, ok := objectAfter(raw, []byte(`"resourcesVpcConfig"`))
	if !ok {
		if raw != nil && bytes.HasPrefix(bytes.TrimSpace(raw), []byte("{")) && json.Valid(raw) {
			return presence{known: true}
		}
		return presence{}
	}
	has := func(k string) bool {
		i := bytes.Index(obj, []byte(`"`+k+`"`))
		if i < 0 {
			return false
		}
		rest := bytes.TrimLeft(obj[i+len(k)+2:], " \t\r\n")
		return len(rest) > 0 && rest[0] == ':' && !bytes.HasPrefix(bytes.TrimLeft(rest[1:], " \t\r\n"), []byte("null"))
	}
	return presence{known: true, vpcConfig: true, publicAccess: has("endpointPublicAccess"), private: has("endpointPrivateAccess"), cidrs: has("publicAccessCidrs")}
}

// objectAfter returns the JSON object that is the value of key, found by matching braces outside
// strings. Occurrences whose value is not an object (a tag named like the key) are passed over.
func objectAfter(raw, key []byte) ([]byte, bool) {
	for off := 0; ; {
		i := bytes.Index(raw[off:], key)
		if i < 0 {
			return nil, false
		}
		off += i + len(key)
		rest := bytes.TrimLeft(raw[off:], " \t\r\n")
		if len(rest) == 0 || rest[0] != ':' {
			continue
		}
		rest = bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(rest) == 0 || rest[0] != '{' {
			continue
		}
		if obj, ok := matchBraces(rest); ok {
			return obj, true
		}
		return nil, false
	}
}

// matchBraces returns the object that starts at rest[0] == '{'.
func matchBraces(rest []byte) ([]byte, bool) {
	depth, inString, escaped := 0, false, false
	for j, c := range rest {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return rest[:j+1], true
			}
		}
	}
	return nil, false
}

const missing = "missing from the DescribeCluster response"

// convert maps the SDK's Cluster into the model, marking fields the response did not carry as
// unknown rather than trusting the SDK's zero values.
func convert(c *ekstypes.Cluster, account, region string, raw []byte) *model.Cluster {
	m := &model.Cluster{
		Name:            aws.ToString(c.Name),
		ARN:             aws.ToString(c.Arn),
		Account:         account,
		Region:          region,
		Source:          model.SourceAWS,
		Status:          string(c.Status),
		Version:         aws.ToString(c.Version),
		PlatformVersion: aws.ToString(c.PlatformVersion),
		Endpoint:        aws.ToString(c.Endpoint),
		Connector:       c.ConnectorConfig != nil,
		Outpost:         c.OutpostConfig != nil,
		Tags:            c.Tags,
	}
	if c.CreatedAt != nil {
		t := c.CreatedAt.UTC().Truncate(time.Millisecond)
		m.CreatedAt = &t
	}
	if m.Account == "" {
		m.Account = accountFromARN(m.ARN)
	}
	if c.KubernetesNetworkConfig != nil {
		m.IPFamily = string(c.KubernetesNetworkConfig.IpFamily)
	}
	if rn := c.RemoteNetworkConfig; rn != nil {
		for _, n := range rn.RemoteNodeNetworks {
			if len(n.Cidrs) > 0 {
				m.HybridNodes = true
			}
		}
	}
	p := readPresence(raw)
	vc := c.ResourcesVpcConfig
	if vc == nil || (p.known && !p.vpcConfig) {
		m.EndpointPublicAccess = model.Unknown("resourcesVpcConfig is " + missing)
		m.EndpointPrivateAccess = model.Unknown("resourcesVpcConfig is " + missing)
		m.PublicAccessCIDRs = model.Strings{Values: []string{}, Origin: model.OriginUnknown, Detail: "resourcesVpcConfig is " + missing}
		return m
	}
	m.VpcID = aws.ToString(vc.VpcId)
	m.ClusterSecurityGroupID = aws.ToString(vc.ClusterSecurityGroupId)
	m.SecurityGroupIDs = vc.SecurityGroupIds
	m.SubnetIDs = vc.SubnetIds
	m.EndpointPublicAccess = model.Explicit(vc.EndpointPublicAccess)
	m.EndpointPrivateAccess = model.Explicit(vc.EndpointPrivateAccess)
	m.PublicAccessCIDRs = model.ExplicitList(vc.PublicAccessCidrs...)
	if p.known {
		if !p.publicAccess {
			m.EndpointPublicAccess = model.Unknown(missing)
		}
		if !p.private {
			m.EndpointPrivateAccess = model.Unknown(missing)
		}
		if !p.cidrs {
			m.PublicAccessCIDRs = model.Strings{Values: []string{}, Origin: model.OriginUnknown, Detail: missing}
		}
	}
	return m
}

func convertUpdate(u *ekstypes.Update) model.Update {
	out := model.Update{ID: aws.ToString(u.Id), Type: string(u.Type), Status: string(u.Status)}
	if u.CreatedAt != nil {
		t := u.CreatedAt.UTC()
		out.CreatedAt = &t
	}
	if len(u.Params) > 0 {
		out.Params = map[string]string{}
		for _, p := range u.Params {
			out.Params[string(p.Type)] = aws.ToString(p.Value)
		}
	}
	return out
}

// accountFromARN reads the account from arn:partition:service:region:account:resource.
func accountFromARN(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		return parts[4]
	}
	return ""
}
