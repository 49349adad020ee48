variable "names" {
  type = list(string)
}

resource "aws_ecr_repository" "this" {
  count = length(var.names)
  name  = var.names[count.index]
}

resource "aws_ecr_lifecycle_policy" "this" {
  count      = length(var.names)
  repository = aws_ecr_repository.this[count.index].name
  policy     = jsonencode({ rules = [] })
}
