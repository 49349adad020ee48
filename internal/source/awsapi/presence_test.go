package awsapi

import "testing"

func TestReadPresence(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want presence
	}{
		{"all there", `{"cluster":{"name":"a","resourcesVpcConfig":{"endpointPublicAccess":true,"endpointPrivateAccess":false,"publicAccessCidrs":["0.0.0.0/0"],"subnetIds":[]}}}`,
			presence{known: true, vpcConfig: true, publicAccess: true, private: true, cidrs: true}},
		{"private missing", `{"cluster":{"resourcesVpcConfig":{"endpointPublicAccess":false,"publicAccessCidrs":[]}}}`,
			presence{known: true, vpcConfig: true, publicAccess: true, cidrs: true}},
		{"null counts as missing", `{"cluster":{"resourcesVpcConfig":{"endpointPublicAccess":null,"endpointPrivateAccess":true,"publicAccessCidrs":null}}}`,
			presence{known: true, vpcConfig: true, private: true}},
		{"a tag cannot fake a member", `{"cluster":{"tags":{"endpointPrivateAccess":"x","k":"\"resourcesVpcConfig\""},"resourcesVpcConfig":{"endpointPublicAccess":true}}}`,
			presence{known: true, vpcConfig: true, publicAccess: true}},
		{"spaces and strings with braces", "{\"cluster\": {\"resourcesVpcConfig\" : {\n \"vpcId\": \"vpc-}{\\\"\", \"endpointPublicAccess\" : true, \"endpointPrivateAccess\": true, \"publicAccessCidrs\": []}}}",
			presence{known: true, vpcConfig: true, publicAccess: true, private: true, cidrs: true}},
		{"a tag named like the object", `{"cluster":{"tags":{"resourcesVpcConfig":"x"},"resourcesVpcConfig":{"endpointPublicAccess":true,"endpointPrivateAccess":true,"publicAccessCidrs":[]}}}`,
			presence{known: true, vpcConfig: true, publicAccess: true, private: true, cidrs: true}},
		{"a member deeper down is not the member", `{"cluster":{"resourcesVpcConfig":{"extra":{"endpointPublicAccess":true},"endpointPrivateAccess":true}}}`,
			presence{known: true, vpcConfig: true, private: true}},
		{"resourcesVpcConfig outside the cluster object", `{"other":{"resourcesVpcConfig":{"endpointPublicAccess":true}},"cluster":{"name":"a"}}`, presence{known: true}},
		{"no vpc config", `{"cluster":{"name":"a","connectorConfig":{}}}`, presence{known: true}},
		{"not json", `garbage`, presence{}},
		{"nil", ``, presence{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readPresence([]byte(tt.raw)); got != tt.want {
				t.Errorf("got %+v want %+v", got, tt.want)
			}
		})
	}
}
