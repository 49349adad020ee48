package eksctl

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// The settings beside the endpoint, with eksctl's defaults (eksctl v0.230.0,
// pkg/apis/eksctl.io/v1alpha5/defaults.go and validation.go): no control plane logs unless
// cloudWatch.clusterLogging.enableTypes lists some ("*" and "all" stand for every type),
// API_AND_CONFIG_MAP when accessConfig.authenticationMode is left out (CONFIG_MAP for a local cluster
// on Outposts without etcdInstanceType), and no secrets encryption without secretsEncryption.

// Wildcards eksctl expands to every log type, wherever they appear in enableTypes.
var logWildcards = []string{"*", "all"}

// logTypes reads cloudWatch.clusterLogging.enableTypes.
func (c *config) logTypes() model.Strings {
	const field = "cloudWatch.clusterLogging.enableTypes"
	key := getKey(c.root, "cloudWatch", "clusterLogging", "enableTypes")
	n := get(c.root, "cloudWatch", "clusterLogging", "enableTypes")
	loc := c.loc(key)
	if n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		l := model.DefaultList(eksctlDefault + ": no cloudWatch.clusterLogging.enableTypes, so no control plane logs")
		l.Loc = loc
		return l
	}
	unknown := func(why string) model.Strings {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: loc, Detail: why}
	}
	types, why := stringList(n, field)
	if why != "" {
		return unknown(why)
	}
	for _, w := range logWildcards {
		if slices.Contains(types, w) {
			l := model.ExplicitList(model.LogTypes...)
			l.Loc, l.Detail = loc, fmt.Sprintf("%q enables every log type", w)
			return l
		}
	}
	out := []string{}
	for i, t := range types {
		if !model.IsLogType(t) {
			msg := fmt.Sprintf("log type %q (%s[%d]) is unknown; eksctl rejects the config (known types: %s, or \"*\" for all)",
				t, field, i, strings.Join(model.LogTypes, ", "))
			c.problem(n.Content[i], "%s", msg)
			return unknown(msg)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: loc}
}

// authMode reads accessConfig.authenticationMode.
func (c *config) authMode() model.String {
	const field = "accessConfig.authenticationMode"
	key := getKey(c.root, "accessConfig", "authenticationMode")
	val, present, why := c.text(get(c.root, "accessConfig", "authenticationMode"), field)
	loc := c.loc(key)
	switch {
	case why != "":
		return model.String{Origin: model.OriginUnknown, Loc: loc, Detail: why}
	case present:
		return model.String{Value: val, Origin: model.OriginExplicit, Loc: loc}
	}
	d := model.DefaultString(model.AuthAPIAndConfigMap, eksctlDefault+" (accessConfig.authenticationMode left out)")
	if c.legacyOutpost() {
		d = model.DefaultString(model.AuthConfigMap, eksctlDefault+" for a local cluster on Outposts without etcdInstanceType")
	}
	d.Loc = loc
	return d
}

// secretsKey reads secretsEncryption.keyARN.
func (c *config) secretsKey() model.String {
	const field = "secretsEncryption.keyARN"
	encKey := getKey(c.root, "secretsEncryption")
	enc := get(c.root, "secretsEncryption")
	if enc == nil || enc.Kind == yaml.ScalarNode && enc.ShortTag() == "!!null" {
		s := model.DefaultString("", eksctlDefault+": no secretsEncryption, so EKS encrypts secrets with AWS-owned keys")
		s.Loc = c.loc(encKey)
		return s
	}
	unknown := func(at *yaml.Node, why string) model.String {
		return model.String{Origin: model.OriginUnknown, Loc: c.loc(at), Detail: why}
	}
	if enc.Kind != yaml.MappingNode {
		if p := placeholder.FindString(enc.Value); enc.Kind == yaml.ScalarNode && p != "" {
			return unknown(encKey, fmt.Sprintf("secretsEncryption is the placeholder %s, substituted before eksctl runs", p))
		}
		return unknown(encKey, "secretsEncryption is not a mapping")
	}
	key := getKey(enc, "keyARN")
	val, present, why := c.text(get(enc, "keyARN"), field)
	switch {
	case why != "":
		return unknown(key, why)
	case !present || val == "":
		msg := "secretsEncryption without a keyARN; eksctl rejects the config (field secretsEncryption.keyARN is required)"
		c.problem(firstNode(key, encKey), "%s", msg)
		return unknown(firstNode(key, encKey), msg)
	case c.cluster.Outpost:
		msg := "KMS secrets encryption is not supported on Outposts; eksctl rejects the config"
		c.problem(key, "%s", msg)
		return unknown(key, msg)
	case !isARN(val):
		msg := fmt.Sprintf("%s %q is not an ARN; eksctl rejects the config", field, val)
		c.problem(key, "%s", msg)
		return unknown(key, msg)
	}
	return model.String{Value: val, Origin: model.OriginExplicit, Loc: c.loc(key)}
}

// legacyOutpost reports whether the cluster is a local cluster on Outposts without an etcd instance
// type, for which eksctl defaults to CONFIG_MAP and EKS accepts nothing else.
func (c *config) legacyOutpost() bool {
	return c.cluster.Outpost && str(get(c.root, "outpost", "etcdInstanceType")) == ""
}

// text reads a string setting as eksctl would: an empty value is unset, a placeholder or a custom tag
// cannot be known.
func (c *config) text(n *yaml.Node, field string) (val string, present bool, why string) {
	n = yamledit.Deref(n)
	switch {
	case n == nil, n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null":
		return "", false, ""
	case n.Kind != yaml.ScalarNode:
		return "", true, field + " is not a string"
	case n.Tag != "" && !strings.HasPrefix(n.Tag, "!!"):
		return "", true, fmt.Sprintf("%s has the tag %s, which eksctl does not resolve", field, n.Tag)
	}
	if p := placeholder.FindString(n.Value); p != "" {
		return "", true, fmt.Sprintf("%s is the placeholder %s, substituted before eksctl runs", field, p)
	}
	return n.Value, true, ""
}

// isARN is the test eksctl's arn.Parse makes: "arn:" and at least six colon-separated sections.
func isARN(s string) bool {
	return strings.HasPrefix(s, "arn:") && len(strings.SplitN(s, ":", 6)) == 6
}

func firstNode(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}
