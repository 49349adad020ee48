package remediate

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/eksguard/eksguard/internal/cidrset"
)

// EC2API is the part of the EC2 client the network checks read.
type EC2API interface {
	DescribeVpcs(context.Context, *ec2.DescribeVpcsInput, ...func(*ec2.Options)) (*ec2.DescribeVpcsOutput, error)
	DescribeVpcAttribute(context.Context, *ec2.DescribeVpcAttributeInput, ...func(*ec2.Options)) (*ec2.DescribeVpcAttributeOutput, error)
	DescribeDhcpOptions(context.Context, *ec2.DescribeDhcpOptionsInput, ...func(*ec2.Options)) (*ec2.DescribeDhcpOptionsOutput, error)
	DescribeSecurityGroups(context.Context, *ec2.DescribeSecurityGroupsInput, ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error)
}

// VPCDNS is what RC-6a needs to know about the cluster's VPC: without DNS support and DNS hostnames,
// clients in the VPC cannot resolve the endpoint to its private addresses.
type VPCDNS struct {
	VpcID              string   `json:"vpcId"`
	EnableDNSSupport   bool     `json:"enableDnsSupport"`
	EnableDNSHostnames bool     `json:"enableDnsHostnames"`
	DhcpOptionsID      string   `json:"dhcpOptionsId,omitempty"`
	DomainNameServers  []string `json:"domainNameServers,omitempty"`
}

// AmazonDNS reports whether the VPC's DHCP options hand out the Amazon-provided resolver, which
// alone answers the private hosted zone of the endpoint. No DHCP options set means the default.
func (v VPCDNS) AmazonDNS() bool {
	if v.DhcpOptionsID == "" || v.DhcpOptionsID == "default" || len(v.DomainNameServers) == 0 {
		return true
	}
	for _, s := range v.DomainNameServers {
		if strings.EqualFold(s, "AmazonProvidedDNS") {
			return true
		}
	}
	return false
}

// ReadVPCDNS reads the VPC's DNS attributes (one attribute per call, as EC2 requires) and its DHCP
// options.
func ReadVPCDNS(ctx context.Context, client EC2API, vpcID string) (VPCDNS, error) {
	out := VPCDNS{VpcID: vpcID}
	for _, attr := range []ec2types.VpcAttributeName{ec2types.VpcAttributeNameEnableDnsSupport, ec2types.VpcAttributeNameEnableDnsHostnames} {
		res, err := client.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: aws.String(vpcID), Attribute: attr})
		if err != nil {
			return out, fmt.Errorf("ec2:DescribeVpcAttribute %s %s: %w", vpcID, attr, err)
		}
		switch attr {
		case ec2types.VpcAttributeNameEnableDnsSupport:
			out.EnableDNSSupport = res.EnableDnsSupport != nil && aws.ToBool(res.EnableDnsSupport.Value)
		case ec2types.VpcAttributeNameEnableDnsHostnames:
			out.EnableDNSHostnames = res.EnableDnsHostnames != nil && aws.ToBool(res.EnableDnsHostnames.Value)
		}
	}
	vpcs, err := client.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{vpcID}})
	if err != nil {
		return out, fmt.Errorf("ec2:DescribeVpcs %s: %w", vpcID, err)
	}
	if len(vpcs.Vpcs) != 1 {
		return out, fmt.Errorf("ec2:DescribeVpcs %s: %d VPCs returned", vpcID, len(vpcs.Vpcs))
	}
	out.DhcpOptionsID = aws.ToString(vpcs.Vpcs[0].DhcpOptionsId)
	if out.DhcpOptionsID == "" || out.DhcpOptionsID == "default" {
		return out, nil
	}
	dopts, err := client.DescribeDhcpOptions(ctx, &ec2.DescribeDhcpOptionsInput{DhcpOptionsIds: []string{out.DhcpOptionsID}})
	if err != nil {
		return out, fmt.Errorf("ec2:DescribeDhcpOptions %s: %w", out.DhcpOptionsID, err)
	}
	for _, d := range dopts.DhcpOptions {
		for _, conf := range d.DhcpConfigurations {
			if aws.ToString(conf.Key) == "domain-name-servers" {
				for _, v := range conf.Values {
					out.DomainNameServers = append(out.DomainNameServers, aws.ToString(v.Value))
				}
			}
		}
	}
	return out, nil
}

// HTTPSAccess says which networks the cluster's security groups admit on TCP 443 (RC-6b).
type HTTPSAccess struct {
	Groups []string `json:"securityGroups"`
	// Sources are the CIDR blocks allowed to reach TCP 443, merged across groups.
	Sources []string `json:"allowedSources"`
	// Unjudged lists rule sources eksguard cannot turn into addresses (security group references,
	// prefix lists); they may admit more than Sources.
	Unjudged []string `json:"unjudgedSources,omitempty"`
	set      *cidrset.Set
}

// Admits reports whether every address of the block may reach TCP 443.
func (a HTTPSAccess) Admits(p netip.Prefix) bool { return a.set != nil && a.set.ContainsPrefix(p) }

// ReadHTTPSAccess reads the groups and collects the sources of every inbound rule that covers TCP 443.
func ReadHTTPSAccess(ctx context.Context, client EC2API, groupIDs []string) (HTTPSAccess, error) {
	out := HTTPSAccess{Groups: groupIDs, Sources: []string{}}
	res, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: groupIDs})
	if err != nil {
		return out, fmt.Errorf("ec2:DescribeSecurityGroups %s: %w", strings.Join(groupIDs, ","), err)
	}
	found := map[string]bool{}
	for _, g := range res.SecurityGroups {
		found[aws.ToString(g.GroupId)] = true
		for _, perm := range g.IpPermissions {
			if !coversHTTPS(perm) {
				continue
			}
			for _, r := range perm.IpRanges {
				out.Sources = append(out.Sources, aws.ToString(r.CidrIp))
			}
			for _, r := range perm.Ipv6Ranges {
				out.Sources = append(out.Sources, aws.ToString(r.CidrIpv6))
			}
			for _, p := range perm.UserIdGroupPairs {
				out.Unjudged = append(out.Unjudged, "security group "+aws.ToString(p.GroupId))
			}
			for _, p := range perm.PrefixListIds {
				out.Unjudged = append(out.Unjudged, "prefix list "+aws.ToString(p.PrefixListId))
			}
		}
	}
	for _, id := range groupIDs {
		if !found[id] {
			return out, fmt.Errorf("ec2:DescribeSecurityGroups: %s was not returned", id)
		}
	}
	sort.Strings(out.Sources)
	set, err := cidrset.Parse(out.Sources)
	if err != nil {
		return out, fmt.Errorf("security group rules: %w", err)
	}
	out.set = set
	return out, nil
}

// coversHTTPS reports whether an inbound rule admits TCP 443.
func coversHTTPS(p ec2types.IpPermission) bool {
	proto := aws.ToString(p.IpProtocol)
	if proto == "-1" || proto == "all" {
		return true
	}
	if proto != "tcp" && proto != "6" {
		return false
	}
	from, to := aws.ToInt32(p.FromPort), aws.ToInt32(p.ToPort)
	return from <= 443 && 443 <= to
}
