from django.urls import path

from saved_views import views

urlpatterns = [
    path("views/", views.view_list, name="saved-view-list"),
    path("views/columns/", views.choose_columns, name="saved-view-columns"),
    path("views/save/", views.save_view, name="saved-view-save"),
    path("views/open/", views.open_view, name="saved-view-open"),
    path("views/<int:pk>/rename/", views.rename_view, name="saved-view-rename"),
    path("views/<int:pk>/delete/", views.delete_view, name="saved-view-delete"),
]
