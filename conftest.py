pytest_plugins = ["interlude.shared.testing.plugin"]
