// setupFiles of the e2e-services Jest project (its globalSetup has started the services).
process.env.TEST_PROFILE = 'services';
