from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why the request was refused.")
    errors = serializers.DictField(
        required=False, help_text="Field by field, when the request's fields were refused."
    )
