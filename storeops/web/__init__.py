"""The back-office shell: base templates, navigation by the policy's modules, the 工作台."""
