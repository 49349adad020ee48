package awsapi

import (
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

func readPresence(raw []byte) presence {
	if raw == nil {
		return presence{}
	}
	var body struct {
		Cluster struct {
			ResourcesVpcConfig map[string]json.RawMessage `json:"resourcesVpcConfig"`
		} `json:"cluster"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return presence{}
	}
	v := body.Cluster.ResourcesVpcConfig
	has := func(k string) bool {
		m, ok := v[k]
		return ok && string(m) != "null"
	}
	return presence{known: true, vpcConfig: v != nil, publicAccess: has("endpointPublicAccess"), private: has("endpointPrivateAccess"), cidrs: has("publicAccessCidrs")}
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
