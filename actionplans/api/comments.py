"""Comments on an action point, and watching it, in the API.

- `/api/v1/action-points/{id}/comments/`: GET the comments, oldest first (paginated);
  POST {"body": "..."} one (201). Mentions: "@" and the exact name of someone of
  the plan, or the token `@[Name](person:12)`; the stored body holds tokens.
- `/api/v1/action-points/{id}/comments/{comment_id}/`: PATCH {"body"} (its author,
  within COMMENT_EDIT_MINUTES), DELETE (the plan's coordinators; 204). A deleted
  comment is listed with `body` null, `deleted_at` and `deleted_by`.
- `/api/v1/action-points/{id}/watch/`: GET whether you watch it, POST to watch,
  DELETE to stop; each answers {"watching": ...}.

An action point you may not see is a 404, as everywhere; the rules are
actionplans.permissions' and the writes actionplans.services'.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from actionplans import comments as reading
from actionplans import permissions as perms
from actionplans import services
from actionplans.models import ActionPoint, Comment
from pim_tracker.api.base import ThrottleFirstMixin
from pim_tracker.api.permissions import PERMISSIONS, ReadOnlyTokenPermission
from pim_tracker.api.schema import ERRORS

POINT_ID = OpenApiParameter(
    "action_point_pk", int, OpenApiParameter.PATH, description="The action point's id."
)


class MentionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CommentSerializer(serializers.ModelSerializer):
    body = serializers.SerializerMethodField(
        help_text="The text, each mention as @[Name](person:id); null once deleted."
    )
    author = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    mentions = serializers.SerializerMethodField()
    deleted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = Comment
        fields = [
            "id",
            "body",
            "author",
            "mentions",
            "created",
            "edited",
            "deleted_at",
            "deleted_by",
            "updated",
        ]
        read_only_fields = fields

    def get_body(self, comment: Comment) -> str | None:
        return None if comment.deleted_at else comment.body

    @extend_schema_field(MentionSerializer(many=True))
    def get_mentions(self, comment: Comment) -> list[dict]:
        if comment.deleted_at:
            return []
        return [{"id": person.pk, "name": person.name} for person in comment.mentions.all()]


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(
        help_text="At most 5000 characters. Mention someone of the plan with @ and their "
        "exact name, or @[Name](person:id)."
    )


class WatchSerializer(serializers.Serializer):
    watching = serializers.BooleanField()


class _PointMixin:
    def point(self) -> ActionPoint:
        if not hasattr(self, "_point"):
            pk = self.kwargs["action_point_pk"]
            self._point = perms.get_action_point_or_404(self.request.user, int(pk))
        return self._point


@extend_schema_view(
    list=extend_schema(
        parameters=[POINT_ID], responses={200: CommentSerializer(many=True), **ERRORS}
    ),
    create=extend_schema(
        parameters=[POINT_ID],
        request=CommentWriteSerializer,
        responses={201: CommentSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[POINT_ID],
        request=CommentWriteSerializer,
        responses={200: CommentSerializer, **ERRORS},
    ),
    destroy=extend_schema(parameters=[POINT_ID], responses={204: None, **ERRORS}),
)
class CommentViewSet(
    ThrottleFirstMixin,
    _PointMixin,
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The comments of an action point you may see, oldest first."""

    serializer_class = CommentSerializer
    permission_classes = PERMISSIONS
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator
            return Comment.objects.none()
        return reading.comments_of(self.point())

    # Rules (pim_tracker.api.permissions) asks these; the services say who may.
    def can_create(self, request) -> bool:
        return True

    def can_change(self, request, obj) -> bool:
        return True

    def create(self, request, *args, **kwargs):
        serializer = CommentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_create(
            action_point=self.point(),
            author=request.user,
            body=serializer.validated_data["body"],
        )
        comment = self.get_queryset().get(pk=comment.pk)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        serializer = CommentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.comment_edit(
            comment=comment, user=request.user, body=serializer.validated_data["body"]
        )
        return Response(CommentSerializer(self.get_queryset().get(pk=comment.pk)).data)

    def destroy(self, request, *args, **kwargs):
        services.comment_delete(comment=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WatchView(ThrottleFirstMixin, _PointMixin, APIView):
    """Whether you watch an action point: its updates, deadline moves and comments
    are notified to you (kind `watched`). Anyone who may see it may watch it."""

    # Signed in, and a read-only token never writes; services.watch_start checks the rest.
    permission_classes = [IsAuthenticated, ReadOnlyTokenPermission]

    def _answer(self, watching: bool) -> Response:
        return Response({"watching": watching})

    @extend_schema(responses={200: WatchSerializer, **ERRORS})
    def get(self, request, action_point_pk: int):
        return self._answer(reading.is_watching(request.user, self.point()))

    @extend_schema(request=None, responses={200: WatchSerializer, **ERRORS})
    def post(self, request, action_point_pk: int):
        services.watch_start(action_point=self.point(), user=request.user)
        return self._answer(True)

    @extend_schema(responses={200: WatchSerializer, **ERRORS})
    def delete(self, request, action_point_pk: int):
        services.watch_stop(action_point=self.point(), user=request.user)
        return self._answer(False)
