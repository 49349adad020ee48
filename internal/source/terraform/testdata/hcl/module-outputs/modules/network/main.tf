variable "cidr" {
  type = string
}

resource "aws_vpc" "this" {
  cidr_block = var.cidr
}

output "subnet_ids" {
  value = ["subnet-1", "subnet-2"]
}

output "vpc_id" {
  value = aws_vpc.this.id
}
