// Package upper has an uppercase module path (escaped as !upper in caches).
package upper

func Name() string { return "Upper" }
