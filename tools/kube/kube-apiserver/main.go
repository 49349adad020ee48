// Command kube-apiserver is Kubernetes' own API server, built from k8s.io/kubernetes so that
// eksguard's tests can run a real one (see ../README.md).
package main

import (
	"os"

	"k8s.io/component-base/cli"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
