// setupFiles of every backend Jest project.
// The AWS SDK warns once per process that releases after January 2027 need Node 22; not news in a test log.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
