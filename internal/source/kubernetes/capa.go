package kubernetes

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/model"
)

// What Cluster API Provider AWS sends to CreateCluster, from its source at v2.11.1
// (pkg/cloud/services/eks/cluster.go createCluster, makeVpcConfig, makeEksLogging,
// makeEksEncryptionConfigs; controlplane/eks/api/v1beta2 for the CRD defaults): the endpoint switches
// only when set, the allowlist only when it has entries, logging only when spec.logging is there (each
// type defaulting to false), accessConfig only with an authenticationMode (which the CRD defaults to
// config_map once accessConfig is written), and encryptionConfig only with both a provider and
// resources. v1beta1 has no accessConfig at all.

// capaLogTypes maps spec.logging's keys to EKS's log types, in EKS's order.
var capaLogTypes = []struct{ key, logType string }{
	{"apiServer", model.LogAPI},
	{"audit", model.LogAudit},
	{"authenticator", model.LogAuthenticator},
	{"controllerManager", model.LogControllerManager},
	{"scheduler", model.LogScheduler},
}

// capaModes are the values the v1beta2 CRD allows for spec.accessConfig.authenticationMode; CAPA
// sends them upper-cased (EKSAuthenticationMode.APIValue).
var capaModes = []string{"config_map", "api", "api_and_config_map"}

const capaDefault = "EKS default: CAPA leaves it out of CreateCluster"

func (o *object) readCAPA() {
	cl, root := o.cluster, o.root
	if v, _, why := text(get(root, "spec", "region"), "spec.region"); why == "" {
		cl.Region = v
	}
	if v, _, why := text(get(root, "spec", "version"), "spec.version"); why == "" {
		cl.Version = v
	}
	if !isNull(get(root, "spec", "network", "vpc", "ipv6")) {
		cl.IPFamily = "ipv6"
	}
	cl.EndpointPublicAccess = o.boolField("spec.endpointAccess.public", model.Default(true, capaDefault+" (spec.endpointAccess.public)"))
	cl.EndpointPrivateAccess = o.boolField("spec.endpointAccess.private", model.Default(false, capaDefault+" (spec.endpointAccess.private)"))
	cl.PublicAccessCIDRs = o.cidrs("spec.endpointAccess.publicCIDRs")
	cl.EnabledLogTypes = o.capaLogging()
	cl.AuthenticationMode = o.capaAuthMode()
	cl.SecretsKeyARN = o.capaSecretsKey()
	if o.version == "v1beta1" {
		cl.Notes = append(cl.Notes, "controlplane.cluster.x-k8s.io/v1beta1 is served by Cluster API Provider AWS up to v2.3 only; later releases read v1beta2")
	}
}

// capaLogging reads spec.logging: a boolean per log type, each false when left out.
func (o *object) capaLogging() model.Strings {
	key := getKey(o.root, "spec", "logging")
	n := get(o.root, "spec", "logging")
	loc := o.loc(key)
	if isNull(n) {
		l := model.DefaultList("no spec.logging: CAPA sends no logging, so EKS enables no control plane logs")
		l.Loc = loc
		return l
	}
	if n.Kind != yaml.MappingNode {
		why := "spec.logging is not a mapping"
		if p := placeholder.FindString(n.Value); n.Kind == yaml.ScalarNode && p != "" {
			why = fmt.Sprintf("spec.logging is the placeholder %s, substituted before the object is applied", p)
		}
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: loc, Detail: why}
	}
	out := []string{}
	for _, t := range capaLogTypes {
		field := "spec.logging." + t.key
		val, _, ok, why := boolValue(get(n, t.key), field)
		if !ok {
			return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(firstNode(getKey(n, t.key), key)), Detail: why}
		}
		if val {
			out = append(out, t.logType)
		}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: loc}
}

// capaAuthMode reads spec.accessConfig.authenticationMode (v1beta2 only).
func (o *object) capaAuthMode() model.String {
	acKey := getKey(o.root, "spec", "accessConfig")
	ac := get(o.root, "spec", "accessConfig")
	if o.version == "v1beta1" {
		if acKey != nil {
			msg := "spec.accessConfig is not a field of controlplane.cluster.x-k8s.io/v1beta1 (it came with v1beta2 in CAPA v2.10.0); the API server drops or rejects it"
			o.problem(acKey, "%s", msg)
			return model.String{Origin: model.OriginUnknown, Loc: o.loc(acKey), Detail: msg}
		}
		return model.DefaultString(model.AuthConfigMap, "EKS default: v1beta1 has no spec.accessConfig, so CAPA sends none")
	}
	if isNull(ac) {
		d := model.DefaultString(model.AuthConfigMap, "EKS default: no spec.accessConfig, so CAPA sends none")
		d.Loc = o.loc(acKey)
		return d
	}
	if ac.Kind != yaml.MappingNode {
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(acKey), Detail: "spec.accessConfig is not a mapping"}
	}
	const field = "spec.accessConfig.authenticationMode"
	key := getKey(ac, "authenticationMode")
	val, present, why := text(get(ac, "authenticationMode"), field)
	switch {
	case why != "":
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(key), Detail: why}
	case !present:
		d := model.DefaultString(model.AuthConfigMap, "CRD default: spec.accessConfig without authenticationMode is config_map")
		d.Loc = o.loc(firstNode(key, acKey))
		return d
	case !slices.Contains(capaModes, val):
		msg := fmt.Sprintf("%s %q is not one the CRD allows (%s); the API server rejects the object", field, val, strings.Join(capaModes, ", "))
		o.problem(key, "%s", msg)
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(key), Detail: msg}
	}
	return model.String{Value: strings.ToUpper(val), Origin: model.OriginExplicit, Loc: o.loc(key)}
}

// capaSecretsKey reads spec.encryptionConfig: one provider (a KMS key ARN or alias) for the listed
// resources.
func (o *object) capaSecretsKey() model.String {
	encKey := getKey(o.root, "spec", "encryptionConfig")
	enc := get(o.root, "spec", "encryptionConfig")
	if isNull(enc) {
		d := model.DefaultString("", "no spec.encryptionConfig, so EKS encrypts secrets with AWS-owned keys")
		d.Loc = o.loc(encKey)
		return d
	}
	unknown := func(at *yaml.Node, why string) model.String {
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(firstNode(at, encKey)), Detail: why}
	}
	if enc.Kind != yaml.MappingNode {
		return unknown(encKey, "spec.encryptionConfig is not a mapping")
	}
	provKey := getKey(enc, "provider")
	provider, _, why := text(get(enc, "provider"), "spec.encryptionConfig.provider")
	if why != "" {
		return unknown(provKey, why)
	}
	resKey := getKey(enc, "resources")
	var resources []string
	if res := get(enc, "resources"); !isNull(res) {
		if resources, why = stringList(res, "spec.encryptionConfig.resources"); why != "" {
			return unknown(resKey, why)
		}
	}
	switch {
	case provider == "" || len(resources) == 0:
		d := model.DefaultString("", "spec.encryptionConfig without a provider and resources: CAPA sends no encryptionConfig, so EKS encrypts secrets with AWS-owned keys")
		d.Loc = o.loc(encKey)
		return d
	case !slices.Contains(resources, "secrets"):
		return model.String{Value: "", Origin: model.OriginExplicit, Loc: o.loc(resKey), Detail: "spec.encryptionConfig.resources does not list secrets"}
	}
	return model.String{Value: provider, Origin: model.OriginExplicit, Loc: o.loc(provKey)}
}

func firstNode(ns ...*yaml.Node) *yaml.Node {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}
