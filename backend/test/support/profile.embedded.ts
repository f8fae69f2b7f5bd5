// setupFiles of the e2e-embedded Jest project.
process.env.TEST_PROFILE = 'embedded';
