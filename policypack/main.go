// Command policypack is the program's policy pack for real previews and
// updates: `pulumi preview --policy-pack policypack` (and `up`) runs every
// rule of policy.Rules() through the Go policy SDK. See internal/crossguard
// for what it checks, its enforcement levels and the SDK's known gaps.
package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"

	"github.com/dbay/infra/internal/crossguard"
)

func main() {
	if err := policyx.Main(crossguard.Pack); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
