package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/dbay/infra/stacks"
)

func main() {
	pulumi.Run(stacks.Run)
}
