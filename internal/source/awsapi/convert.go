package awsapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
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

// readPresence finds which endpoint members the response carried, walking the JSON structure of the
// body's cluster object (the same walk that finds the logging, access and encryption members), so a
// member of the same name elsewhere, such as a tag, is never taken for one. A body it cannot make
// sense of is reported as unknown, and the SDK's values are then taken as they are.
func readPresence(raw []byte) presence {
	if raw == nil {
		return presence{}
	}
	top, ok := objectMembers(raw, "cluster")
	if !ok {
		return presence{}
	}
	if top[0] == nil {
		return presence{known: true}
	}
	cl, ok := objectMembers(top[0], "resourcesVpcConfig")
	if !ok {
		return presence{}
	}
	if cl[0] == nil {
		return presence{known: true}
	}
	v, ok := objectMembers(cl[0], "endpointPublicAccess", "endpointPrivateAccess", "publicAccessCidrs")
	if !ok {
		return presence{}
	}
	return presence{known: true, vpcConfig: true, publicAccess: v[0] != nil, private: v[1] != nil, cidrs: v[2] != nil}
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
	if c.CertificateAuthority != nil {
		m.CAData = aws.ToString(c.CertificateAuthority.Data)
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
	readControls(m, c, raw)
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

// The members of a DescribeCluster response that the logging, access and secrets encryption checks
// read. The SDK's structs lose what matters here: an accessConfig without authenticationMode reads as
// the empty mode, and a null logging entry as an entry with no types and no flag. So, as for the
// endpoint fields, they are read from the raw body, and from the SDK's structs only when there is none.
type controlMembers struct {
	logging, accessConfig, encryptionConfig json.RawMessage // nil when absent or null
}

// Wire shapes of those members, with pointers wherever absent and null must stay apart from zero.
type (
	wireLogging struct {
		ClusterLogging *[]*wireLogSetup `json:"clusterLogging"`
	}
	wireLogSetup struct {
		Types   []string `json:"types"`
		Enabled *bool    `json:"enabled"`
	}
	wireAccessConfig struct {
		AuthenticationMode *string `json:"authenticationMode"`
	}
	wireEncryptionConfig struct {
		Resources []string      `json:"resources"`
		Provider  *wireProvider `json:"provider"`
	}
	wireProvider struct {
		KeyArn *string `json:"keyArn"`
	}
)

// readControls fills the logging, authentication mode and secrets key of m.
func readControls(m *model.Cluster, c *ekstypes.Cluster, raw []byte) {
	mem, ok := membersFromBody(raw)
	if !ok {
		mem = membersFromSDK(c)
	}
	m.EnabledLogTypes = readLogging(mem.logging)
	m.AuthenticationMode = readAccessConfig(mem.accessConfig)
	m.SecretsKeyARN = readEncryptionConfig(mem.encryptionConfig)
}

// membersFromBody finds the members in the body's top-level "cluster" object, walking the JSON
// structure rather than searching for the names, so that a member of the same name deeper down (or
// text in a tag) is never taken for them. ok is false when there is no body or it is not the
// {"cluster": {...}} object DescribeCluster answers.
func membersFromBody(raw []byte) (controlMembers, bool) {
	if raw == nil {
		return controlMembers{}, false
	}
	top, ok := objectMembers(raw, "cluster")
	if !ok || top[0] == nil {
		return controlMembers{}, false
	}
	v, ok := objectMembers(top[0], "logging", "accessConfig", "encryptionConfig")
	if !ok {
		return controlMembers{}, false
	}
	return controlMembers{logging: v[0], accessConfig: v[1], encryptionConfig: v[2]}, true
}

// membersFromSDK rebuilds the members from the SDK's structs, for a response whose body was not kept.
// What the structs cannot tell (an authentication mode left out) reads as absent.
func membersFromSDK(c *ekstypes.Cluster) controlMembers {
	var mem controlMembers
	if l := c.Logging; l != nil {
		var w wireLogging
		if l.ClusterLogging != nil {
			setups := make([]*wireLogSetup, len(l.ClusterLogging))
			for i, s := range l.ClusterLogging {
				ws := &wireLogSetup{Enabled: s.Enabled}
				for _, t := range s.Types {
					ws.Types = append(ws.Types, string(t))
				}
				setups[i] = ws
			}
			w.ClusterLogging = &setups
		}
		mem.logging, _ = json.Marshal(w)
	}
	if a := c.AccessConfig; a != nil {
		var w wireAccessConfig
		if a.AuthenticationMode != "" {
			w.AuthenticationMode = aws.String(string(a.AuthenticationMode))
		}
		mem.accessConfig, _ = json.Marshal(w)
	}
	if c.EncryptionConfig != nil {
		w := make([]wireEncryptionConfig, len(c.EncryptionConfig))
		for i, e := range c.EncryptionConfig {
			w[i].Resources = e.Resources
			if e.Provider != nil {
				w[i].Provider = &wireProvider{KeyArn: e.Provider.KeyArn}
			}
		}
		mem.encryptionConfig, _ = json.Marshal(w)
	}
	return mem
}

// readLogging reads logging.clusterLogging. EKS lists every log type once, in an entry with enabled
// true or one with enabled false; every entry is read. The enabled types are those of the enabled
// entries (a type listed twice counts once), in EKS's order. Anything that makes a type's state
// unclear leaves the whole setting unknown, since a guess could pass a cluster that logs nothing.
func readLogging(raw json.RawMessage) model.Strings {
	if raw == nil {
		return model.UnknownList("logging is " + missing)
	}
	var l wireLogging
	if err := json.Unmarshal(raw, &l); err != nil {
		return model.UnknownList("logging in the DescribeCluster response is not an object with a clusterLogging list")
	}
	if l.ClusterLogging == nil {
		return model.UnknownList("logging.clusterLogging is " + missing)
	}
	state := map[string]bool{}
	for i, s := range *l.ClusterLogging {
		at := fmt.Sprintf("logging.clusterLogging[%d]", i)
		switch {
		case s == nil:
			return model.UnknownList(at + " is null in the DescribeCluster response")
		case s.Enabled == nil:
			return model.UnknownList(at + " has no enabled flag in the DescribeCluster response")
		}
		for _, t := range s.Types {
			if !model.IsLogType(t) {
				// A null type decodes as "" and is reported as such.
				return model.UnknownList(fmt.Sprintf("%s lists the log type %q, which EKS does not have (%s)", at, t, strings.Join(model.LogTypes, ", ")))
			}
			if on, seen := state[t]; seen && on != *s.Enabled {
				return model.UnknownList(fmt.Sprintf("logging.clusterLogging lists the log type %s as both enabled and disabled", t))
			}
			state[t] = *s.Enabled
		}
	}
	enabled := []string{}
	for _, t := range model.LogTypes {
		if state[t] {
			enabled = append(enabled, t)
		}
	}
	return model.ExplicitList(enabled...)
}

// readAccessConfig reads accessConfig.authenticationMode. Old responses, and moto, carry no
// accessConfig: the mode is then unknown, never assumed to be EKS's default. A mode EKS does not have
// is kept as it is, for the check to report.
func readAccessConfig(raw json.RawMessage) model.String {
	if raw == nil {
		return model.UnknownString("accessConfig is " + missing)
	}
	var a wireAccessConfig
	if err := json.Unmarshal(raw, &a); err != nil {
		return model.UnknownString("accessConfig in the DescribeCluster response is not an object with a text authenticationMode")
	}
	if a.AuthenticationMode == nil {
		return model.UnknownString("accessConfig.authenticationMode is " + missing)
	}
	return model.ExplicitString(*a.AuthenticationMode)
}

// readEncryptionConfig reads the KMS key of the encryptionConfig entry for Kubernetes secrets. EKS
// leaves encryptionConfig out when no key was ever associated, so its absence is a known "none".
func readEncryptionConfig(raw json.RawMessage) model.String {
	if raw == nil {
		return model.DefaultString("", "no encryptionConfig in the DescribeCluster response, which EKS leaves out when no KMS key encrypts secrets")
	}
	var entries []*wireEncryptionConfig
	if err := json.Unmarshal(raw, &entries); err != nil {
		return model.UnknownString("encryptionConfig in the DescribeCluster response is not a list of entries with resources and provider.keyArn")
	}
	if len(entries) == 0 {
		s := model.ExplicitString("")
		s.Detail = "encryptionConfig in the DescribeCluster response lists no entries"
		return s
	}
	key := ""
	for i, e := range entries {
		at := fmt.Sprintf("encryptionConfig[%d]", i)
		if e == nil {
			return model.UnknownString(at + " is null in the DescribeCluster response")
		}
		arn := ""
		if e.Provider != nil && e.Provider.KeyArn != nil {
			arn = *e.Provider.KeyArn
		}
		secrets := slices.Contains(e.Resources, "secrets")
		switch {
		case secrets && arn == "":
			return model.UnknownString(at + " covers secrets but has no provider.keyArn")
		case !secrets && len(e.Resources) == 0 && arn != "":
			// Resources is deprecated in the API model; a key with no resources listed may or may
			// not cover secrets, and the control is about secrets.
			return model.UnknownString(at + " has a KMS key but lists no resources, so whether it covers secrets cannot be told")
		case !secrets:
			continue
		case key != "" && key != arn:
			return model.UnknownString(fmt.Sprintf("encryptionConfig lists two keys for secrets, %s and %s", key, arn))
		}
		key = arn
	}
	if key == "" {
		s := model.ExplicitString("")
		s.Detail = "no encryptionConfig entry in the DescribeCluster response covers secrets"
		return s
	}
	return model.ExplicitString(key)
}

// objectMembers returns the values of the named members of the JSON object obj (nil for a member
// that is absent or null; the last one when a name repeats, as decoders keep it). ok is false when obj
// is not an object. Values are sliced, not copied, and not validated: callers decode the few they
// use, which validates them.
func objectMembers(obj []byte, names ...string) (vals []json.RawMessage, ok bool) {
	vals = make([]json.RawMessage, len(names))
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return nil, false
	}
	i = skipSpace(obj, i+1)
	if i < len(obj) && obj[i] == '}' {
		return vals, true
	}
	for {
		if i >= len(obj) || obj[i] != '"' {
			return nil, false
		}
		kend := stringEnd(obj, i)
		if kend < 0 {
			return nil, false
		}
		key := obj[i+1 : kend-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			// An escaped name ("\u006cogging") is the same member to a decoder.
			var k string
			if json.Unmarshal(obj[i:kend], &k) != nil {
				return nil, false
			}
			key = []byte(k)
		}
		i = skipSpace(obj, kend)
		if i >= len(obj) || obj[i] != ':' {
			return nil, false
		}
		i = skipSpace(obj, i+1)
		vend := valueEnd(obj, i)
		if vend < 0 {
			return nil, false
		}
		for n, name := range names {
			if string(key) == name {
				vals[n] = nil
				if v := obj[i:vend]; string(v) != "null" {
					vals[n] = json.RawMessage(v)
				}
			}
		}
		i = skipSpace(obj, vend)
		switch {
		case i < len(obj) && obj[i] == ',':
			i = skipSpace(obj, i+1)
		case i < len(obj) && obj[i] == '}':
			return vals, true
		default:
			return nil, false
		}
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// stringEnd returns the index just past the string that starts at b[i] == '"', or -1.
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		j += k
		// The quote ends the string unless an odd run of backslashes escapes it.
		n := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return j + 1
		}
	}
	return -1
}

// valueEnd returns the index just past the JSON value that starts at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				if j = stringEnd(b, j); j < 0 {
					return -1
				}
				j--
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return -1
	}
	j := i
	for ; j < len(b); j++ {
		if c := b[j]; c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			break
		}
	}
	if j == i {
		return -1
	}
	return j
}
