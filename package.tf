# The deployment zip shared by both functions: the jit_access package and its runtime dependencies, built by
# lambda/build_package.py during apply (python3 + pip, binary wheels for the runtime and architecture,
# no Docker), or a prebuilt zip given as lambda_package_path.
#
# Why the second plan is clean, on this machine and on a fresh clone:
# - The zip is named by `package_hash`, a hash of everything that goes into it (the packaged files, the
#   dependency list in pyproject.toml and lambda/package-constraints.txt, the build script, runtime,
#   architecture), all known at plan time.
# - `source_code_hash` is that same hash. Since provider 5.51 the function keeps `source_code_hash` as
#   configured instead of re-reading Lambda's CodeSha256, so plan compares it with the state: no change
#   until the sources change, whether or not the zip exists on the machine running the plan. (Hashing the
#   zip itself with filebase64sha256 would need the zip at plan time, which a fresh clone does not have.)
# - The build is reproducible (sorted entries, fixed timestamps and permissions), so equal hashes mean
#   equal code; when a hash changes, terraform_data is replaced, the build runs before the functions are
#   updated, and they upload the new zip.
# - terraform_data also rebuilds when a function must be created again (its name changes), so a machine
#   without the zip can still recreate them. Should a function be deleted outside Terraform on such a
#   machine, run `terraform apply -replace='<module address>.terraform_data.package[0]'`.

locals {
  build_package = var.lambda_package_path == null

  lambda_source_dir = "${path.module}/lambda/jit_access"
  # The same selection as package_file() in lambda/build_package.py: no bytecode, no local stack.
  package_files = sort([
    for f in fileset(local.lambda_source_dir, "**") : f
    if !startswith(f, "local/") && !strcontains(f, "__pycache__") && !endswith(f, ".pyc") && !endswith(f, ".pyo")
  ])
  package_manifest = join("\n", concat(
    [for f in local.package_files : "${f} ${filesha256("${local.lambda_source_dir}/${f}")}"],
    [
      "pyproject.toml ${filesha256("${path.module}/lambda/pyproject.toml")}",
      "build_package.py ${filesha256("${path.module}/lambda/build_package.py")}",
      "package-constraints.txt ${filesha256("${path.module}/lambda/package-constraints.txt")}",
      "runtime ${var.lambda_runtime}",
      "architecture ${var.lambda_architecture}",
    ],
  ))
  package_hash = sha256(local.package_manifest)

  # Outside the module's sources, in the directory Terraform runs in; build_package.py writes a .gitignore
  # into it so the zips are never committed.
  package_path = local.build_package ? "${path.root}/.jit-access-build/${substr(local.package_hash, 0, 24)}.zip" : var.lambda_package_path
  # The same digest in the base64 form filebase64sha256 gives for a zip.
  package_source_code_hash = local.build_package ? base64sha256(local.package_manifest) : filebase64sha256(var.lambda_package_path)
}

resource "terraform_data" "package" {
  count = local.build_package ? 1 : 0

  triggers_replace = {
    package_hash = local.package_hash
    # A function created again needs the zip on this machine, even when the sources did not change.
    functions = [local.requester_name, local.revoker_name]
  }

  provisioner "local-exec" {
    command = join(" ", [
      var.package_build_python,
      "\"${path.module}/lambda/build_package.py\"",
      "--runtime", var.lambda_runtime,
      "--architecture", var.lambda_architecture,
      "--out", "\"${local.package_path}\"",
    ])
  }
}
