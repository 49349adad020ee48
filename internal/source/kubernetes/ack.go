package kubernetes

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/eksguard/eksguard/internal/model"
	"github.com/eksguard/eksguard/internal/source/iac/yamledit"
)

// What the ACK EKS controller sends to CreateCluster, from its source at v1.20.0
// (pkg/resource/cluster/sdk.go newCreateRequestPayload; config/crd/bases/eks.services.k8s.aws_clusters.yaml):
// the spec is the CreateCluster request itself, every field copied only when it is set, and the CRD
// gives none of these fields a default, so whatever is left out gets EKS's API default.

const ackDefault = "EKS default: ACK leaves it out of CreateCluster"

func (o *object) readACK() {
	cl, root := o.cluster, o.root
	if _, present, why := text(get(root, "spec", "name"), "spec.name"); why == "" && !present {
		o.problem(getKey(root, "kind"), "spec.name (the EKS cluster's name) is missing; the CRD requires it")
	}
	if v, _, why := text(get(root, "spec", "version"), "spec.version"); why == "" {
		cl.Version = v
	}
	if strings.EqualFold(str(get(root, "spec", "kubernetesNetworkConfig", "ipFamily")), "ipv6") {
		cl.IPFamily = "ipv6"
	}
	if vpcKey := getKey(root, "spec", "resourcesVPCConfig"); vpcKey == nil {
		o.problem(getKey(root, "kind"), "spec.resourcesVPCConfig is missing; the CRD requires it")
	}
	pub, priv := model.Default(true, ackDefault+" (spec.resourcesVPCConfig.endpointPublicAccess)"), model.Default(false, ackDefault+" (spec.resourcesVPCConfig.endpointPrivateAccess)")
	if !isNull(get(root, "spec", "outpostConfig")) {
		cl.Outpost = true
		// EKS decides the endpoint of a local cluster on Outposts itself; eksguard does not guess it.
		why := "left out on a local cluster on Outposts (spec.outpostConfig), where eksguard does not know EKS's default"
		pub, priv = model.Unknown(why), model.Unknown(why)
	}
	cl.EndpointPublicAccess = o.boolField("spec.resourcesVPCConfig.endpointPublicAccess", pub)
	cl.EndpointPrivateAccess = o.boolField("spec.resourcesVPCConfig.endpointPrivateAccess", priv)
	cl.PublicAccessCIDRs = o.cidrs("spec.resourcesVPCConfig.publicAccessCIDRs")
	cl.EnabledLogTypes = o.ackLogging()
	cl.AuthenticationMode = o.ackAuthMode()
	cl.SecretsKeyARN = o.ackSecretsKey()
}

// ackLogging reads spec.logging.clusterLogging: the types of every entry whose enabled is true.
func (o *object) ackLogging() model.Strings {
	const field = "spec.logging.clusterLogging"
	key := firstNode(getKey(o.root, "spec", "logging", "clusterLogging"), getKey(o.root, "spec", "logging"))
	n := get(o.root, "spec", "logging", "clusterLogging")
	loc := o.loc(key)
	if isNull(n) {
		l := model.DefaultList(ackDefault + ": no " + field + ", so EKS enables no control plane logs")
		l.Loc = loc
		return l
	}
	out, at, why := logSetups(n, field)
	if why != "" {
		return model.Strings{Values: []string{}, Origin: model.OriginUnknown, Loc: o.loc(firstNode(at, key)), Detail: why}
	}
	return model.Strings{Values: out, Origin: model.OriginExplicit, Loc: loc}
}

// ackAuthMode reads spec.accessConfig.authenticationMode, as written: the CRD does not restrict it.
func (o *object) ackAuthMode() model.String {
	const field = "spec.accessConfig.authenticationMode"
	key := getKey(o.root, "spec", "accessConfig", "authenticationMode")
	if ac := get(o.root, "spec", "accessConfig"); ac != nil && ac.Kind == yaml.ScalarNode && !isNull(ac) {
		// accessConfig written as one value (a placeholder, a kro expression): the mode is not known.
		why := "spec.accessConfig is " + strconv.Quote(ac.Value) + ", not a mapping"
		if p := placeholder.FindString(ac.Value); p != "" {
			why = fmt.Sprintf("spec.accessConfig is the placeholder %s, substituted before the object is applied", p)
		}
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(getKey(o.root, "spec", "accessConfig")), Detail: why}
	}
	val, present, why := text(get(o.root, "spec", "accessConfig", "authenticationMode"), field)
	switch {
	case why != "":
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(key), Detail: why}
	case present && val != "":
		return model.String{Value: val, Origin: model.OriginExplicit, Loc: o.loc(key)}
	}
	d := model.DefaultString(model.AuthConfigMap, ackDefault+" ("+field+")")
	d.Loc = o.loc(firstNode(key, getKey(o.root, "spec", "accessConfig")))
	return d
}

// ackSecretsKey reads spec.encryptionConfig: the first entry whose resources list secrets decides, by
// its provider.keyARN or its provider.keyRef (a reference to an ACK KMS Key, resolved to its ARN when
// the cluster is created).
func (o *object) ackSecretsKey() model.String {
	encKey := getKey(o.root, "spec", "encryptionConfig")
	enc := get(o.root, "spec", "encryptionConfig")
	if isNull(enc) || enc.Kind == yaml.SequenceNode && len(enc.Content) == 0 {
		d := model.DefaultString("", ackDefault+": no spec.encryptionConfig, so EKS encrypts secrets with AWS-owned keys")
		d.Loc = o.loc(encKey)
		return d
	}
	unknown := func(at *yaml.Node, why string) model.String {
		return model.String{Origin: model.OriginUnknown, Loc: o.loc(firstNode(at, encKey)), Detail: why}
	}
	if enc.Kind != yaml.SequenceNode {
		_, why := stringList(enc, "spec.encryptionConfig")
		return unknown(encKey, why)
	}
	i, why := ackSecretsEntry(enc)
	switch {
	case why != "":
		return unknown(encKey, why)
	case i < 0:
		return model.String{Value: "", Origin: model.OriginExplicit, Loc: o.loc(encKey), Detail: "no spec.encryptionConfig entry lists secrets"}
	}
	entry := yamledit.Deref(enc.Content[i])
	name := fmt.Sprintf("spec.encryptionConfig[%d].provider", i)
	arnKey := getKey(entry, "provider", "keyARN")
	arn, _, why := text(get(entry, "provider", "keyARN"), name+".keyARN")
	switch {
	case why != "":
		return unknown(arnKey, why)
	case arn != "":
		return model.String{Value: arn, Origin: model.OriginExplicit, Loc: o.loc(arnKey)}
	}
	if refKey := getKey(entry, "provider", "keyRef"); refKey != nil {
		ref, _, why := text(get(entry, "provider", "keyRef", "from", "name"), name+".keyRef.from.name")
		switch {
		case why != "":
			return unknown(refKey, why)
		case ref != "":
			return model.String{Value: "keyRef " + ref, Origin: model.OriginExplicit, Loc: o.loc(refKey),
				Detail: "the ARN of the ACK KMS Key " + ref + ", known once ACK resolves the reference"}
		}
	}
	msg := name + " has neither keyARN nor keyRef; EKS rejects an encryption config without a key"
	return unknown(firstNode(getKey(entry, "provider"), getKey(entry, "resources")), msg)
}

// ackSecretsEntry finds the index of the first encryptionConfig entry whose resources list secrets;
// -1 when none does.
func ackSecretsEntry(enc *yaml.Node) (int, string) {
	return secretsEntry(enc, "spec.encryptionConfig")
}
